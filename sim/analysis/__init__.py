"""Questions asked of plans: marginal values, the fairness frontier, metrics, the explorer's logic."""
