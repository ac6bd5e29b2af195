"""Text: read input files, clean OCR with offsets kept, split articles and sentences, tokenize."""
