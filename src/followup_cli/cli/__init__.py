"""The command-line layer: parse options, call one domain function, hand the result to render."""
