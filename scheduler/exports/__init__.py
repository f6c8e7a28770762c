"""The store as files other tools read: the 台账 workbook and calendar feeds."""
