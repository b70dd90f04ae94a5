"""Every mutation is one service function: checks permission, changes, records history."""
