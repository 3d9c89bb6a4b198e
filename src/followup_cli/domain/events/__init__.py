"""Events: what happened with a customer and wants follow-up."""
