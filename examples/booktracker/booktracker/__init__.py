"""The booktracker app from the related_name article: authors and their books."""
