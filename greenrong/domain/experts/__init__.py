"""Experts who review certifications and advise on green finance."""
