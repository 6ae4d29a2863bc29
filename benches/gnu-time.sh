# Sourced by compare.sh and scaling.sh: reading GNU time's `-v` report.

# parse_time TIMEFILE -> "wall_s cpu_s rss_mib" (cpu = user + system)
parse_time() {
  awk -F': ' '
    /Elapsed \(wall clock\) time/ { n = split($NF, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
    /User time \(seconds\)/ { u = $NF }
    /System time \(seconds\)/ { s = $NF }
    /Maximum resident set size \(kbytes\)/ { r = $NF }
    END { printf "%.3f %.3f %.1f\n", w, u + s, r / 1024 }' "$1"
}
