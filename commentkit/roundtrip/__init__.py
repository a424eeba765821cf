"""roundtrip"""
