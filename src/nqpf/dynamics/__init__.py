"""Distribution dynamics of a score panel: kernel density evolution (:mod:`.kde`), Markov and spatial
Markov chains (:mod:`.markov`), β convergence (:mod:`.convergence`)."""
