# Intensity. Fill both blanks, then: learn verify intensity
sup start worker_sup --max-restarts 2 --max-seconds 3
spawn counter --sup worker_sup --name worker
