"""One audit run from export to outputs: load, rules, scores, indicators, carry-forward, the
summary, the published output set and the run recorded in the history store."""
