"""Files and the JSON API in and out: what other systems send and read, through the write services."""
