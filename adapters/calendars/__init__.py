"""Calendar providers that speak HTTP to Google Calendar and Microsoft 365, behind the scheduling port."""
