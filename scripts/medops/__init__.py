"""medops: operations tooling for the qcis and chfms public-health information systems."""

__version__ = "0.1.0"
