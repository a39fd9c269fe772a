# Throughput and p99 latency against concurrency, drawn by bench/run.sh:
#   gnuplot -e "data='chart.dat'; out='chart.svg'" bench/chart.gp
set terminal svg size 960,400 dynamic font "sans,11" background rgb "white"
set output out
set multiplot layout 1,2
set logscale x 2
set xtics (1, 2, 4, 8, 16, 32, 64)
set xlabel "connections"
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set grid ytics
set key top left
set ylabel "requests/s"
set y2label "p99 latency (ms)"
set title "authorization\\_code exchange (RS256, two signatures)"
plot data using 1:2 with linespoints lw 2 pt 7 title "exchanges/s" axes x1y1, \
     data using 1:3 with linespoints lw 2 pt 5 dt 2 title "p99 ms" axes x1y2
set title "GET /auth/.well-known/jwks.json"
plot data using 1:4 with linespoints lw 2 pt 7 title "GETs/s" axes x1y1, \
     data using 1:5 with linespoints lw 2 pt 5 dt 2 title "p99 ms" axes x1y2
unset multiplot
