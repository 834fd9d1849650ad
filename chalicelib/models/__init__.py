"""Request models every entrance shares: what a valid product, price, customer, stock line or
order update is, for the HTTP API (chalicelib/api) and the spreadsheets (services/sheet_targets.py)
alike. Plain pydantic, no HTTP: the API wraps them in its batch envelopes and documents them;
a spreadsheet row is validated by the same model, so both refuse the same values the same way."""
