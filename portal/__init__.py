"""District open-government information portal (政务公开平台)."""
