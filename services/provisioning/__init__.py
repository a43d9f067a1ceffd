"""Provisioning: IP phones, their SIP lines, per-customer FTP accounts and vendor files."""
