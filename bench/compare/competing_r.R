# The R side of bench/compare/competing.sh: writes the data set, then times
# cmprsk::cuminc (cumulative incidence of both causes in both arms, with
# their variances, and Gray's test of each cause) on it in memory, the data
# already loaded. Usage: Rscript competing_r.R N OUTDIR
# Prints the median of 3 timings, then Gray's statistics for the answer check.
suppressPackageStartupMessages(library(cmprsk))
args <- commandArgs(trailingOnly = TRUE)
n <- as.integer(args[1]); out <- args[2]
set.seed(20261121)
arm <- sample(1:2, n, replace = TRUE)
t1 <- rexp(n, ifelse(arm == 1, 0.10, 0.07))  # cause 1, by arm
t2 <- rexp(n, 0.04)                          # cause 2 (the competing event)
tc <- runif(n, 0, 30)                        # censoring
tmin <- pmin(t1, t2, tc)
d <- data.frame(time = tmin, cause = ifelse(tc == tmin, 0L, ifelse(t1 == tmin, 1L, 2L)), arm = arm)
write.csv(d, file.path(out, "competing.csv"), row.names = FALSE)
time_it <- function(expr) { gc(); as.numeric(system.time(expr)["elapsed"]) }
fit <- cuminc(d$time, d$cause, d$arm)  # the answer, for the check in competing.sh
seconds <- replicate(3, time_it(cuminc(d$time, d$cause, d$arm)))
cat(sprintf("r_cuminc_seconds %.4f\n", median(seconds)))
cat(sprintf("r_gray_stat_%s %.10g\n", rownames(fit$Tests), fit$Tests[, "stat"]), sep = "")
