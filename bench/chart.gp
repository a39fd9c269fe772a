# Throughput and p99 latency against concurrency, drawn by bench/run.sh:
#   gnuplot -e "data='chart.dat'; out='chart.svg'" bench/chart.gp
# chart.dat holds two named data sets: "sweep" (1 to 32 connections) and
# "many_connections" (the exchange at 16 to 1,000 connections, whose latency
# is two orders larger and so gets a panel of its own). A set that a partial
# run lacks holds one line of NaN: gnuplot then stops at that panel (no
# chart) rather than draw another set's points in it.
set terminal svg size 1380,440 dynamic font "sans,11" background rgb "white"
set output out
set multiplot layout 1,3
set logscale x 2
set xtics (1, 2, 4, 8, 16, 32, 64)
set xlabel "connections"
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set grid ytics
# Legends under the plots, where no line can cross them.
set key below horizontal
set ylabel "requests/s"
set y2label "p99 latency (ms)"
set title "authorization\\_code exchange (RS256, two signatures)"
plot data index "sweep" using 1:2 with linespoints lw 2 pt 7 title "exchanges/s" axes x1y1, \
     data index "sweep" using 1:3 with linespoints lw 2 pt 5 dt 2 title "p99 ms" axes x1y2
set title "GET /auth/.well-known/jwks.json"
plot data index "sweep" using 1:4 with linespoints lw 2 pt 7 title "GETs/s" axes x1y1, \
     data index "sweep" using 1:5 with linespoints lw 2 pt 5 dt 2 title "p99 ms" axes x1y2
set title "the exchange (RS256) at 16 to 1,000 connections"
set xtics (16, 64, 256, 1000)
set xrange [12:1300]
plot data index "many_connections" using 1:2 with linespoints lw 2 pt 7 title "exchanges/s" axes x1y1, \
     data index "many_connections" using 1:4 with linespoints lw 2 pt 5 dt 2 title "p99 ms" axes x1y2
unset multiplot
