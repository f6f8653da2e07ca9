"""The local share of each member: placeholder replaced in the local-share stage."""
