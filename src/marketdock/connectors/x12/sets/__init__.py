"""One module per X12 transaction set: wire records plus pure encode/decode functions."""
