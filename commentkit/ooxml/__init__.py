"""ooxml"""
