# The R side of bench/compare/survival.sh: writes the data set, then times
# R's survfit + survdiff on it in memory (the data already loaded), as the
# issue's anchor says. Usage: Rscript survival_r.R N OUTDIR
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
n <- as.integer(args[1]); out <- args[2]
set.seed(20261121)
arm <- sample(1:2, n, replace = TRUE)
t_event <- rexp(n, ifelse(arm == 1, 0.10, 0.07)); t_cens <- runif(n, 0, 30)
d <- data.frame(time = pmin(t_event, t_cens), status = as.integer(t_event <= t_cens), arm = arm)
d$x1 <- rnorm(n); d$x2 <- rnorm(n); d$x3 <- rnorm(n); d$x4 <- rbinom(n, 1, 0.4); d$x5 <- runif(n)
write.csv(d, file.path(out, "survival.csv"), row.names = FALSE)
time_it <- function(expr) { gc(); as.numeric(system.time(expr)["elapsed"]) }
km <- replicate(3, time_it(survfit(Surv(time, status) ~ arm, data = d)))
lr <- replicate(3, time_it(survdiff(Surv(time, status) ~ arm, data = d)))
cox <- replicate(3, time_it(coxph(Surv(time, status) ~ x1 + x2 + x3 + x4 + x5, data = d)))
# The numerical core alone: coxph.fit on the model matrix, as the issue's second anchor.
y <- Surv(d$time, d$status); x <- as.matrix(d[, c("x1", "x2", "x3", "x4", "x5")])
core <- replicate(3, time_it(coxph.fit(x, y, strata = NULL, offset = NULL, init = NULL,
                                       control = coxph.control(), weights = NULL, method = "efron",
                                       rownames = NULL)))
cat(sprintf("r_km_seconds %.4f\nr_logrank_seconds %.4f\nr_coxph_seconds %.4f\nr_coxph_fit_seconds %.4f\n",
            median(km), median(lr), median(cox), median(core)))
