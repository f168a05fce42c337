"""Email: mail out (SMTP or .eml), mail in (aiosmtpd), reply addresses and mail rendering."""
