"""整改 items as a record every stage writes and shows, like notifications: a return, a finding, a
spot-check difference, a red light or a decision raises one; the workspace, the queue and next
year's declaration list them. The write service and the small reads live here, on the lower
floor, so review, monitoring, filing and targets call down to them; the 整改 pages are in
`projects/results/`, which reads everything.
"""
