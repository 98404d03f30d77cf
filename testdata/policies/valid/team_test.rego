package espreflight.custom.team_test

import future.keywords.not

import data.espreflight.custom.team

test_fires_for_orders_with_reindex if {
	count(team.deny) == 1 with input as {"plan": {"method": "reindex", "indices": ["orders-*", "logs-*"]}}
}

test_quiet_with_snapshot if {
	count(team.deny) == 0 with input as {"plan": {"method": "snapshot", "indices": ["orders-*"]}}
}

test_quiet_without_orders if {
	count(team.deny) == 0 with input as {"plan": {"method": "reindex", "indices": ["logs-*"]}}
}
