"""The knowledge base: ingestion, cleaning, chunking, tokenisation, BM25 retrieval, answers."""
