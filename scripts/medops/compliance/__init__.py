"""medops compliance: the O&M contract's obligations of a year, their status and evidence."""
