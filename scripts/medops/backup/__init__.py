"""The backup policy as data, pgBackRest's view of the repository, and the semiannual review over both."""
