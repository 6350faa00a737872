# Strategies. Fill each blank, then: learn verify strategies
sup start lenient --strategy one_for_one
sup start angry --strategy rest_for_one
sup start jerk --strategy one_for_all
spawn counter --sup lenient --name lenient_singer
spawn counter --sup lenient --name lenient_guitar
spawn counter --sup lenient --name lenient_drums
spawn counter --sup angry --name angry_singer
spawn counter --sup angry --name angry_guitar
spawn counter --sup angry --name angry_drums
spawn counter --sup jerk --name jerk_singer
spawn counter --sup jerk --name jerk_guitar
spawn counter --sup jerk --name jerk_drums
