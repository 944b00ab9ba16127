"""The board's tables as files: Korean headers, then the rows as the page holds them,
written by the app's one spreadsheet writer (gachi.core.spreadsheets), which keeps
numbers as numbers and text from users from being read as a formula."""


def table_rows(table):
    return [table.headers(korean=True), *table.rows]
