"""The sample application (sampleapp/) that stands in for qcis and chfms: its release tarballs."""
