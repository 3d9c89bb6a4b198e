"""Customers: the customer file, CUSTOMER arguments, and the profile behind `customer show`."""
