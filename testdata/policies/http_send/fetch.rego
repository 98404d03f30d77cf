package espreflight.custom.fetch

# METADATA
# title: Ask a web service
# custom:
#   id: FETCH-001
#   severity: error
deny contains f if {
	resp := http.send({"method": "GET", "url": "https://example.com/allowed"})
	resp.status_code != 200
	f := {"rule": "FETCH-001", "msg": "not allowed"}
}
