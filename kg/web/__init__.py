"""The local web server: the network page and a read-only SPARQL endpoint."""
