"""Personal data (PIPL, 个人信息保护法): erasure on request, retention, redaction."""
