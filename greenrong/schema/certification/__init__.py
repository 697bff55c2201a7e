"""Certification (绿色认定) in the API."""
