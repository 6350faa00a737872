# Intensity. Fill both blanks, then: learn verify intensity
sup start worker_sup --max-restarts ___ --max-seconds ___
spawn counter --sup worker_sup --name worker
