# Expected results of `cirrus change`, `cirrus ancova` and `cirrus mmrm` on the
# data sets in data/ (see PROVENANCE.md for every R call behind every number).
#
#   Rscript r_longitudinal.R OUTDIR [DATADIR]
#
# Writes OUTDIR/expected.json: {"cases": [{"name", "command", "input", "args",
# "expected"}]}, `expected` in the shape of the cirrus command's --format json
# output. Numbers are written with 17 significant digits (the same double on
# both sides). Keys starting with "_" are not cirrus output: `_df_sensitivity`
# holds d(value)/d(df) for the fields that depend on a Satterthwaite df, so
# that the runner can allow for the df's own tolerance.
#
# mmrm: nlme::gls's REML fit is the start; the script polishes it with Newton's
# method on its own REML likelihood (analytic gradient and observed Hessian)
# until the Newton decrement is below 1e-20, then takes the LS means from that
# optimum and the Satterthwaite df from the observed REML information.
#
# The script stops (exit 1) when one of its own cross-checks fails: its REML
# log-likelihood against nlme's logLik at gls's estimate; its gradient, Hessian
# and dC/dtheta against numDeriv's differences; the decrement at the optimum;
# nlme's gls with the covariance fixed at the polished optimum (logLik, Sigma,
# coefficients and their covariance); its L vectors against emmeans' linfct and
# its LS means and SEs against emmeans on that gls; and, for compound symmetry,
# its Satterthwaite df and loglik against lmerTest's random-intercept fit.
#
# LONGITUDINAL_ORACLE_VERBOSE=1 prints every case and check on stderr.
suppressPackageStartupMessages({
  library(nlme)
  library(emmeans)
  library(lmerTest)
  library(numDeriv)
})
emm_options(msg.interaction = FALSE, msg.nesting = FALSE)
args <- commandArgs(trailingOnly = TRUE)
script_dir <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])))
out <- if (length(args) >= 1) args[1] else stop("usage: Rscript r_longitudinal.R OUTDIR [DATADIR]")
data_dir <- if (length(args) >= 2) args[2] else file.path(script_dir, "data")
dir.create(out, showWarnings = FALSE, recursive = TRUE)
verbose <- nzchar(Sys.getenv("LONGITUDINAL_ORACLE_VERBOSE"))
note <- function(...) if (verbose) message(sprintf(...))

# ---- JSON, written by hand (no JSON package needed) -------------------------------
# A named list is an object, an unnamed list an array, an atomic of length 1 a scalar.
to_json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    items <- vapply(x, to_json, "")
    if (length(x) == 0) return(if (is.null(names(x))) "[]" else "{}")
    if (is.null(names(x))) return(paste0("[", paste(items, collapse = ","), "]"))
    keys <- vapply(names(x), function(k) to_json(k), "")
    return(paste0("{", paste(paste0(keys, ":", items), collapse = ","), "}"))
  }
  if (length(x) != 1) stop("to_json: atomic of length ", length(x), "; wrap arrays in as.list()")
  if (is.character(x)) return(paste0("\"", gsub("([\"\\\\])", "\\\\\\1", x), "\""))
  if (is.logical(x)) return(if (is.na(x)) "null" else if (x) "true" else "false")
  if (is.na(x)) return("null")
  if (!is.finite(x)) stop("to_json: non-finite number")
  sprintf("%.17g", as.numeric(x))
}

cases <- list()
add_case <- function(name, command, input, cirrus_args, expected) {
  note("%-34s %s", name, paste(command, "--input", input, paste(cirrus_args, collapse = " ")))
  cases[[length(cases) + 1]] <<- list(name = name, command = command, input = input,
                                      args = as.list(cirrus_args), expected = expected)
}

# ---- reading a long file as the contract says cirrus reads it ---------------------
# Values "" and "NA" are dropped and counted; group labels keep their text and
# follow R's factor order (numeric labels sort numerically); no --group: "all".
read_long <- function(input, subject, time, value, group = NULL, covariates = character(0)) {
  raw <- read.csv(file.path(data_dir, input), colClasses = "character", na.strings = character(0),
                  check.names = FALSE)
  missing <- raw[[value]] %in% c("", "NA")
  raw <- raw[!missing, , drop = FALSE]
  labels <- if (is.null(group)) rep("all", nrow(raw)) else raw[[group]]
  distinct <- unique(labels)
  as_number <- suppressWarnings(as.numeric(distinct))
  levels <- if (all(!is.na(as_number))) distinct[order(as_number)] else sort(distinct, method = "radix")
  d <- data.frame(subject = raw[[subject]], time = as.numeric(raw[[time]]), value = as.numeric(raw[[value]]),
                  group = factor(labels, levels = levels), stringsAsFactors = FALSE)
  for (c in covariates) d[[c]] <- suppressWarnings(as.numeric(ifelse(raw[[c]] %in% c("", "NA"), NA, raw[[c]])))
  stopifnot(!anyNA(d$time), !anyNA(d$value), !anyDuplicated(paste(d$subject, d$time)))
  list(data = d, dropped = sum(missing), levels = levels)
}

cli_args <- function(subject, time, value, baseline, group) {
  c("--subject", subject, "--time", time, "--value", value, "--baseline-time", format(baseline),
    if (!is.null(group)) c("--group", group))
}

# Subjects with both a baseline value and a value at `t`, with the baseline row's covariates.
pairs_at <- function(d, baseline, t, covariates = character(0)) {
  base <- d[d$time == baseline, ]
  at <- d[d$time == t, ]
  m <- match(at$subject, base$subject)
  keep <- !is.na(m)
  p <- data.frame(subject = at$subject[keep], group = at$group[keep], x0 = base$value[m[keep]],
                  xt = at$value[keep], stringsAsFactors = FALSE)
  for (c in covariates) p[[c]] <- base[[c]][m[keep]]
  p
}

# ---- cirrus change ------------------------------------------------------------------
# t.test(x_t, x_0, paired = TRUE) and wilcox.test(x_t, x_0, paired = TRUE) with R's
# defaults; Welch's t.test(change_B, change_A) between groups. NA for what R
# cannot compute (written as null).
t_or_na <- function(...) tryCatch(t.test(...), error = function(e) NULL)
change_case <- function(name, input, subject, time, value, baseline, group = NULL) {
  r <- read_long(input, subject, time, value, group)
  d <- r$data
  times <- sort(unique(d$time[d$time != baseline]))
  changes <- list()  # changes[[group]][[time]]
  groups <- lapply(r$levels, function(g) {
    at <- list()
    changes[[g]] <<- list()
    for (t in times) {
      p <- pairs_at(d[d$group == g, ], baseline, t)
      if (nrow(p) < 2) next
      x <- p$xt - p$x0
      changes[[g]][[format(t)]] <<- x
      tt <- t_or_na(p$xt, p$x0, paired = TRUE)
      w <- suppressWarnings(wilcox.test(p$xt, p$x0, paired = TRUE))
      at[[length(at) + 1]] <- list(time = t, n = nrow(p), baseline_mean = mean(p$x0), mean = mean(p$xt),
        change_mean = mean(x), change_sd = sd(x),
        change_lower = if (is.null(tt)) NA else tt$conf.int[1], change_upper = if (is.null(tt)) NA else tt$conf.int[2],
        t = if (is.null(tt)) NA else unname(tt$statistic), df = nrow(p) - 1,
        p = if (is.null(tt)) NA else tt$p.value,
        wilcoxon_v = unname(w$statistic), wilcoxon_p = w$p.value)
    }
    list(group = g, at = at)
  })
  between <- list()
  if (length(r$levels) >= 2) {
    ref <- r$levels[1]
    for (t in times) for (g in r$levels[-1]) {
      a <- changes[[ref]][[format(t)]]; b <- changes[[g]][[format(t)]]
      if (is.null(a) || is.null(b)) next
      tt <- t.test(b, a)
      between[[length(between) + 1]] <- list(time = t, group = g, reference = ref,
        difference = unname(tt$estimate[1] - tt$estimate[2]), lower = tt$conf.int[1], upper = tt$conf.int[2],
        t = unname(tt$statistic), df = unname(tt$parameter), p = tt$p.value)
    }
  }
  add_case(name, "change", input, cli_args(subject, time, value, baseline, group),
           list(baseline_time = baseline, dropped = r$dropped, groups = groups, between = between))
}

# ---- cirrus ancova --------------------------------------------------------------------
# lm(value_T ~ baseline + group + covariates) and emmeans(fit, ~ group), whose
# reference grid holds baseline and the covariates at their means over the rows.
ancova_case <- function(name, input, subject, time, value, baseline, at, group = NULL, covariates = character(0)) {
  r <- read_long(input, subject, time, value, group, covariates)
  p <- pairs_at(r$data, baseline, at, covariates)
  p <- p[complete.cases(p), ]
  d <- data.frame(y = p$xt, baseline = p$x0, group = droplevels(p$group))
  for (c in covariates) d[[c]] <- p[[c]]
  stopifnot(identical(levels(d$group), r$levels))
  grouped <- length(r$levels) >= 2
  rhs <- c("baseline", if (grouped) "group", covariates)
  fit <- lm(reformulate(rhs, "y"), data = d)
  co <- summary(fit)$coefficients
  term_names <- sub("^group", "group=", rownames(co))
  terms <- lapply(seq_len(nrow(co)), function(i) list(term = term_names[i], coef = co[i, 1], se = co[i, 2],
                                                      t = co[i, 3], p = co[i, 4]))
  emm <- if (grouped) emmeans(fit, ~ group) else emmeans(fit, ~ 1)
  s <- summary(emm, level = 0.95)
  groups <- lapply(seq_along(r$levels), function(i) list(group = r$levels[i], n = sum(d$group == r$levels[i]),
    adjusted_mean = s$emmean[i], se = s$SE[i], lower = s$lower.CL[i], upper = s$upper.CL[i]))
  differences <- list()
  if (grouped) {
    con <- contrast(emm, method = "trt.vs.ctrl", ref = 1, adjust = "none")
    cs <- summary(con, infer = c(TRUE, TRUE), level = 0.95, adjust = "none")
    # emmeans' difference is the group coefficient of lm (the model has no interaction)
    stopifnot(all(abs(cs$estimate - co[paste0("group", r$levels[-1]), 1]) <= 1e-10 * (1 + abs(cs$estimate))))
    differences <- lapply(seq_along(r$levels[-1]), function(i) list(group = r$levels[i + 1], reference = r$levels[1],
      estimate = cs$estimate[i], se = cs$SE[i], lower = cs$lower.CL[i], upper = cs$upper.CL[i],
      t = cs$t.ratio[i], df = cs$df[i], p = cs$p.value[i]))
  }
  add_case(name, "ancova", input,
           c(cli_args(subject, time, value, baseline, group), "--at", format(at),
             if (length(covariates)) c("--covariates", paste(covariates, collapse = ","))),
           list(n = nrow(d), residual_df = fit$df.residual, sigma = summary(fit)$sigma,
                terms = terms, groups = groups, differences = differences))
}

# ---- cirrus mmrm: the REML likelihood and its derivatives, written out -------------
# With V the block-diagonal covariance of the observations (subject i's block
# Sigma_i = Sigma[k_i, k_i], k_i its visits), W = V^-1, C = (X'WX)^-1,
# beta = C X'Wy, r = y - X beta and P = W - WXCX'W:
#   l_R = -1/2 [ (N - p) log(2 pi) + log|V| + log|X'WX| + r'Wr ]
# the textbook REML likelihood, which is what logLik() of an nlme::gls REML fit
# reports (no 1/2 log|X'X| term; checked against logLik(gls) in every case).
# For covariance parameters theta (V_a = dV/dtheta_a, V_ab its second derivative):
#   dl/da      = -1/2 [ tr(P V_a) - y'P V_a P y ]
#   d2l/da db  =  1/2 tr(P V_a P V_b) - y'P V_a P V_b P y - 1/2 [ tr(P V_ab) - y'P V_ab P y ]
#   d(C)/da    =  C X'W V_a W X C
# (Harville 1977, JASA 72:320; Kenward & Roger 1997, Biometrics 53:983, eq. 2-3).
# Every trace reduces to sums over subjects of V x V and p x p matrices, so the
# observations are grouped by their subject's pattern of visits and each
# pattern's block is factorised once.
reml_setup <- function(obs, X) {
  key <- tapply(obs$k, obs$subject, function(k) paste(k, collapse = ","))
  patterns <- lapply(unique(key), function(kk) {
    subjects <- names(key)[key == kk]
    rows <- unlist(lapply(subjects, function(s) which(obs$subject == s)))
    list(k = as.integer(strsplit(kk, ",")[[1]]), n = length(subjects), rows = rows)
  })
  list(X = X, y = obs$change, patterns = patterns, N = nrow(X), p = ncol(X), V = max(obs$k))
}

# `d1`: the list of dSigma/dtheta_a (V x V); `d2`: d2[[a]][[b]] or NULL when
# Sigma is linear in theta. Without d1 only ll, beta and C.
reml <- function(s, Sigma, d1 = NULL, d2 = NULL) {
  Z <- cbind(s$y, s$X)
  q <- ncol(Z)
  W <- matrix(0, s$N, q); at <- 0; logdet <- 0; chols <- list()
  for (P in s$patterns) {
    m <- length(P$k)
    U <- tryCatch(chol(Sigma[P$k, P$k, drop = FALSE]), error = function(e) NULL)
    if (is.null(U)) return(list(ll = -Inf))
    chols[[length(chols) + 1]] <- U
    logdet <- logdet + P$n * 2 * sum(log(diag(U)))
    block <- backsolve(U, matrix(Z[P$rows, ], m), transpose = TRUE)   # m x (n q): each subject's rows whitened
    W[at + seq_along(P$rows), ] <- matrix(block, length(P$rows), q)
    at <- at + length(P$rows)
  }
  qx <- qr(W[, -1, drop = FALSE])
  if (qx$rank < s$p) stop("the design is rank deficient")
  R <- qr.R(qx)
  rss <- sum(qr.resid(qx, W[, 1])^2)
  C <- matrix(0, s$p, s$p)
  C[qx$pivot, qx$pivot] <- chol2inv(R)
  ll <- -0.5 * ((s$N - s$p) * log(2 * pi) + logdet + 2 * sum(log(abs(diag(R)))) + rss)
  beta <- numeric(s$p); beta[qx$pivot] <- qr.coef(qx, W[, 1])
  out <- list(ll = ll, beta = beta, C = C)
  if (is.null(d1)) return(out)

  np <- length(d1); p <- s$p; V <- s$V
  Gamma <- matrix(0, V, V)                       # sum over patterns of n W - G - S, embedded
  H <- matrix(0, np, np)
  M <- replicate(np, matrix(0, p, p), simplify = FALSE)   # X'W V_a W X
  h <- matrix(0, p, np)                                   # X'W V_a W r
  for (j in seq_along(s$patterns)) {
    P <- s$patterns[[j]]; k <- P$k; m <- length(k); n <- P$n
    Wp <- chol2inv(chols[[j]])
    r <- s$y[P$rows] - s$X[P$rows, , drop = FALSE] %*% beta
    E <- Wp %*% matrix(r, m)                                                  # m x n: W r_i
    Q <- matrix(Wp %*% matrix(s$X[P$rows, , drop = FALSE], m), n * m, p)      # rows of W X_i
    G <- matrix(Q, m) %*% t(matrix(Q %*% C, m))                               # sum_i W X_i C X_i' W
    S <- tcrossprod(E)                                                        # sum_i W r_i r_i' W
    Gamma[k, k] <- Gamma[k, k] + n * Wp - G - S
    K <- n * Wp - 2 * G - 2 * S
    D <- lapply(d1, function(x) x[k, k, drop = FALSE])
    DW <- lapply(D, function(x) x %*% Wp)
    DK <- lapply(D, function(x) x %*% K)
    for (a in seq_len(np)) {
      for (b in seq_len(a)) H[a, b] <- H[a, b] + 0.5 * sum(DW[[a]] * t(DK[[b]]))
      DQ <- matrix(D[[a]] %*% matrix(Q, m), n * m, p)
      M[[a]] <- M[[a]] + crossprod(Q, DQ)
      h[, a] <- h[, a] + crossprod(Q, as.vector(D[[a]] %*% E))
    }
  }
  g <- vapply(d1, function(x) -0.5 * sum(x * Gamma), 0)
  Ch <- C %*% h
  CM <- lapply(M, function(x) C %*% x)
  for (a in seq_len(np)) for (b in seq_len(a)) {
    H[a, b] <- H[a, b] + 0.5 * sum(CM[[a]] * t(CM[[b]])) + sum(h[, a] * Ch[, b]) -
      (if (is.null(d2)) 0 else 0.5 * sum(d2[[a]][[b]] * Gamma))
    H[b, a] <- H[a, b]
  }
  c(out, list(gradient = g, hessian = H, M = M))
}

# The covariance among visits as a function of theta, with its first and second
# derivatives. Natural parameters (the df do not depend on the parametrisation
# at the optimum, and Newton's method is affine invariant):
#   unstructured: theta = the entries of Sigma on and below the diagonal (linear)
#   compound symmetry: theta = (variance, covariance), Sigma = (v - c) I + c J (linear)
#   AR(1): theta = (variance, rho), Sigma = v rho^|j - k| over the visit index
cov_model <- function(kind, V) {
  lag <- abs(outer(1:V, 1:V, "-"))
  switch(kind,
    "unstructured" = {
      at <- which(lower.tri(diag(V), diag = TRUE), arr.ind = TRUE)
      unit <- lapply(seq_len(nrow(at)), function(a) {
        E <- matrix(0, V, V); E[at[a, 1], at[a, 2]] <- 1; E[at[a, 2], at[a, 1]] <- 1; E
      })
      list(theta = function(S) S[lower.tri(S, diag = TRUE)],
           sigma = function(th) Reduce(`+`, Map(`*`, th, unit)),
           d1 = function(th) unit, d2 = function(th) NULL)
    },
    "compound-symmetry" = list(
      theta = function(S) c(S[1, 1], S[1, 2]),
      sigma = function(th) (th[1] - th[2]) * diag(V) + th[2],
      d1 = function(th) list(diag(V), matrix(1, V, V) - diag(V)),
      d2 = function(th) NULL),
    "ar1" = {
      # d^j/drho^j rho^lag = lag (lag - 1) ... rho^(lag - j), zero where lag < j
      power <- function(rho, j) {
        f <- if (j == 0) 1 else if (j == 1) lag else lag * (lag - 1)
        ifelse(lag >= j, f * rho^pmax(lag - j, 0), 0)
      }
      list(theta = function(S) c(S[1, 1], S[1, 2] / S[1, 1]),
           sigma = function(th) th[1] * power(th[2], 0),
           d1 = function(th) list(power(th[2], 0), th[1] * power(th[2], 1)),
           d2 = function(th) list(list(matrix(0, V, V), power(th[2], 1)),
                                  list(power(th[2], 1), th[1] * power(th[2], 2))))
    })
}

# gls's covariance among visits 1..V, from its estimated parameters.
gls_sigma <- function(fit, kind, V) {
  cs <- fit$modelStruct$corStruct
  if (kind == "unstructured") {
    R <- diag(V); R[lower.tri(R)] <- coef(cs, unconstrained = FALSE); R[upper.tri(R)] <- t(R)[upper.tri(R)]
    delta <- coef(fit$modelStruct$varStruct, unconstrained = FALSE, allCoef = TRUE)
    sd <- fit$sigma * delta[as.character(1:V)]
    return(R * outer(sd, sd))
  }
  rho <- coef(cs, unconstrained = FALSE)
  fit$sigma^2 * (if (kind == "ar1") rho^abs(outer(1:V, 1:V, "-")) else (1 - rho) * diag(V) + rho)
}

# nlme::gls with its covariance parameters fixed at Sigma (only the scale is
# profiled, and at the REML optimum it comes out as Sigma's): R's own
# likelihood, estimates and emmeans at the polished optimum.
gls_at <- function(form, obs, kind, Sigma) {
  V <- nrow(Sigma)
  if (kind == "unstructured") {
    sd <- sqrt(diag(Sigma)); R <- cov2cor(Sigma)
    ref <- as.character(obs$visit[order(obs$subject, obs$k)][1])   # varIdent's reference stratum
    ratio <- sd / sd[as.integer(ref)]
    others <- setdiff(as.character(1:V), ref)
    return(gls(form, data = obs, method = "REML",
               correlation = corSymm(R[lower.tri(R)], form = ~ k | subject, fixed = TRUE),
               weights = varIdent(form = ~ 1 | visit, fixed = setNames(ratio[as.integer(others)], others))))
  }
  rho <- Sigma[1, 2] / Sigma[1, 1]
  gls(form, data = obs, method = "REML",
      correlation = if (kind == "ar1") corAR1(rho, form = ~ k | subject, fixed = TRUE) else
        corCompSymm(rho, form = ~ 1 | subject, fixed = TRUE))
}

# Richardson-extrapolated central differences (numDeriv), used only to check
# the analytic derivatives: first step 1e-4 relative to each parameter.
deriv_args <- list(eps = 1e-4, d = 1e-4, zero.tol = sqrt(.Machine$double.eps / 7e-7), r = 3, v = 2)
relative_gap <- function(a, b) max(abs(a - b)) / max(abs(b), 1e-300)

mmrm_case <- function(name, input, subject, time, value, baseline, group = NULL,
                      covariance = "unstructured", df_method = "satterthwaite", options = character(0),
                      check_lmer = FALSE) {
  t_start <- proc.time()[[3]]
  r <- read_long(input, subject, time, value, group)
  d <- r$data
  base <- d[d$time == baseline, ]
  obs <- d[d$time != baseline & d$subject %in% base$subject, ]
  stopifnot(all(obs$time > baseline))
  obs$baseline <- base$value[match(obs$subject, base$subject)]
  obs$change <- obs$value - obs$baseline
  visits <- sort(unique(obs$time))
  V <- length(visits)
  stopifnot(V >= 2)
  obs$k <- match(obs$time, visits)
  obs$visit <- factor(obs$k, levels = 1:V)
  obs <- obs[order(obs$subject, obs$k), ]
  grouped <- length(r$levels) >= 2
  form <- if (grouped) change ~ baseline + visit + group + group:visit else change ~ baseline + visit
  obs$group <- factor(obs$group, levels = r$levels)
  control <- glsControl(tolerance = 1e-10, msTol = 1e-12, msMaxIter = 500, maxIter = 500, returnObject = TRUE)
  gfit <- switch(covariance,
    "unstructured" = gls(form, data = obs, method = "REML", control = control,
                         correlation = corSymm(form = ~ k | subject), weights = varIdent(form = ~ 1 | visit)),
    "compound-symmetry" = gls(form, data = obs, method = "REML", control = control,
                              correlation = corCompSymm(form = ~ 1 | subject)),
    "ar1" = gls(form, data = obs, method = "REML", control = control, correlation = corAR1(form = ~ k | subject)))

  X <- model.matrix(form, obs)
  s <- reml_setup(obs, X)
  model <- cov_model(covariance, V)
  S0 <- gls_sigma(gfit, covariance, V)
  theta <- model$theta(S0)
  stopifnot(max(abs(model$sigma(theta) - S0)) <= 1e-12 * max(S0))
  ll_gls <- as.numeric(logLik(gfit))
  at_gls <- reml(s, S0, model$d1(theta), model$d2(theta))
  if (abs(at_gls$ll - ll_gls) > 1e-10 * abs(ll_gls)) stop(sprintf("%s: REML loglik %.12g, nlme %.12g", name, at_gls$ll, ll_gls))

  # The analytic gradient and Hessian against numDeriv's, at gls's estimate.
  # Near the optimum the gradient is about 0, so its error is measured against
  # |H theta|, the size the gradient takes when theta moves by its own size.
  f <- function(th) reml(s, model$sigma(th))$ll
  gr <- function(th) reml(s, model$sigma(th), model$d1(th), model$d2(th))$gradient
  g_num <- grad(f, theta, method.args = deriv_args)
  H_num <- jacobian(gr, theta, method.args = deriv_args)
  gap_g <- max(abs(g_num - at_gls$gradient)) / max(abs(at_gls$hessian %*% theta), 1)
  gap_H <- relative_gap(H_num, at_gls$hessian)
  note("%-34s analytic vs numDeriv: gradient %.1e, Hessian %.1e", name, gap_g, gap_H)
  if (gap_g > 1e-7 || gap_H > 1e-7)
    stop(sprintf("%s: analytic derivatives differ from numDeriv's (gradient %.2g, Hessian %.2g)", name, gap_g, gap_H))

  # Newton's method on the REML log-likelihood from gls's estimate, with step
  # halving, until the Newton decrement g'(-H)^-1 g is below 1e-20: then every
  # linear function of theta is within about 1e-10 of its standard error from
  # the optimum. (gls, even with the tight control above, stops up to 1e-4 SE
  # short here, which moves LS means by up to 3e-6: more than the 1e-6 asked.)
  fitted <- at_gls
  newton <- 0
  repeat {
    step <- -solve(fitted$hessian, fitted$gradient)
    decrement <- sum(fitted$gradient * step)
    if (decrement < 1e-20 || newton == 50) break
    for (h in 0:30) {
      trial <- theta + step / 2^h
      ll <- reml(s, model$sigma(trial))$ll
      if (ll >= fitted$ll - 1e-12 * abs(fitted$ll)) break
    }
    if (h == 30) break
    theta <- trial
    fitted <- reml(s, model$sigma(theta), model$d1(theta), model$d2(theta))
    newton <- newton + 1
  }
  if (!(decrement < 1e-18)) stop(sprintf("%s: Newton decrement %.3g at the optimum", name, decrement))
  info <- -fitted$hessian
  if (any(eigen(info, symmetric = TRUE, only.values = TRUE)$values <= 0)) stop(name, ": information not positive definite")
  Wcov <- solve(info)
  Sigma <- model$sigma(theta)
  theta_se <- sqrt(diag(Wcov))
  note("%-34s loglik gls %.12f, polished %.12f (+%.2g); %d Newton steps, decrement %.1e; theta moved by up to %.2g SE",
       name, ll_gls, fitted$ll, fitted$ll - ll_gls, newton, decrement, max(abs(theta - model$theta(S0)) / theta_se))

  # R's own fit at the polished optimum: same likelihood, the scale it profiles
  # is the one already in Sigma, the same fixed effects and covariance of them.
  pfit <- gls_at(form, obs, covariance, Sigma)
  if (abs(as.numeric(logLik(pfit)) - fitted$ll) > 1e-10 * abs(fitted$ll))
    stop(sprintf("%s: nlme's loglik at the polished optimum %.14g, ours %.14g", name, as.numeric(logLik(pfit)), fitted$ll))
  if (relative_gap(gls_sigma(pfit, covariance, V), Sigma) > 1e-8 ||
      relative_gap(coef(pfit), fitted$beta) > 1e-8 || relative_gap(vcov(pfit), fitted$C) > 1e-8)
    stop(name, ": nlme's fit at the polished optimum differs from ours")

  # L vectors: baseline at its mean over the observations (emmeans' reference grid).
  grid <- expand.grid(k = 1:V, group = r$levels, stringsAsFactors = FALSE)
  grid <- grid[order(grid$k, match(grid$group, r$levels)), ]
  nd <- data.frame(baseline = mean(obs$baseline), visit = factor(grid$k, levels = 1:V),
                   group = factor(grid$group, levels = r$levels), change = 0)
  L <- model.matrix(form, nd)
  emm <- if (grouped) emmeans(pfit, ~ group | visit, data = obs, mode = "df.error") else
    emmeans(pfit, ~ visit, data = obs, mode = "df.error")
  eg <- emm@grid
  order_emm <- match(paste(grid$k, grid$group), paste(eg$visit, if (grouped) eg$group else "all"))
  stopifnot(!anyNA(order_emm), max(abs(emm@linfct[order_emm, ] - L)) <= 1e-12 * max(abs(L)))
  es <- summary(emm)[order_emm, ]

  # d(l'Cl)/dtheta_a = l'C M_a C l, checked against numDeriv's jacobian of C.
  dC <- sapply(fitted$M, function(x) as.vector(fitted$C %*% x %*% fitted$C))
  dC_num <- jacobian(function(th) as.vector(reml(s, model$sigma(th))$C), theta, method.args = deriv_args)
  note("%-34s analytic vs numDeriv: dC/dtheta %.1e", name, relative_gap(dC_num, dC))
  if (relative_gap(dC_num, dC) > 1e-7) stop(sprintf("%s: dC/dtheta differs from numDeriv's by %.2g", name, relative_gap(dC_num, dC)))

  residual_df <- s$N - qr(X)$rank
  contrast <- function(l) {
    est <- sum(l * fitted$beta)
    v <- as.numeric(t(l) %*% fitted$C %*% l)
    df <- if (df_method == "residual") residual_df else {
      gl <- as.vector(crossprod(dC, as.vector(outer(l, l))))   # d(l'Cl)/dtheta
      2 * v^2 / as.numeric(t(gl) %*% Wcov %*% gl)
    }
    list(estimate = est, se = sqrt(v), df = df)
  }
  sensitivity <- function(c, with_p) {
    # d(lower)/d(df), d(upper)/d(df), d(p)/d(df), by central differences in the df
    h <- 1e-4 * c$df
    dq <- (qt(0.975, c$df + h) - qt(0.975, c$df - h)) / (2 * h)
    out <- list(lower = -c$se * dq, upper = c$se * dq)
    if (with_p) {
      t <- abs(c$estimate / c$se)
      out$p <- (2 * pt(-t, c$df + h) - 2 * pt(-t, c$df - h)) / (2 * h)
    }
    out
  }
  entry <- function(c, extra, with_t) {
    q <- qt(0.975, c$df)
    e <- c(extra, list(estimate = c$estimate, se = c$se, df = c$df,
                       lower = c$estimate - q * c$se, upper = c$estimate + q * c$se))
    if (with_t) e <- c(e, list(t = c$estimate / c$se, p = 2 * pt(-abs(c$estimate / c$se), c$df)))
    if (df_method == "satterthwaite") e$`_df_sensitivity` <- sensitivity(c, with_t)
    e
  }
  lsmeans <- list(); differences <- list(); mine <- NULL
  for (i in seq_len(nrow(grid))) {
    c <- contrast(L[i, ])
    mine <- rbind(mine, c(c$estimate, c$se))
    lsmeans[[length(lsmeans) + 1]] <- entry(c, list(time = visits[grid$k[i]], group = grid$group[i]), FALSE)
    if (grid$group[i] != r$levels[1]) {
      ref <- which(grid$k == grid$k[i] & grid$group == r$levels[1])
      differences[[length(differences) + 1]] <- entry(contrast(L[i, ] - L[ref, ]),
        list(time = visits[grid$k[i]], group = grid$group[i], reference = r$levels[1]), TRUE)
    }
  }
  # emmeans on nlme's fit at the polished optimum gives the same means and SEs;
  # on gls's own fit they differ by what gls left of the optimum.
  gap <- max(abs(mine - cbind(es$emmean, es$SE)) / (1 + abs(cbind(es$emmean, es$SE))))
  if (gap > 1e-9) stop(sprintf("%s: emmeans differs from the polished fit by %.2g", name, gap))
  es_gls <- summary(if (grouped) emmeans(gfit, ~ group | visit, data = obs, mode = "df.error") else
    emmeans(gfit, ~ visit, data = obs, mode = "df.error"))[order_emm, ]
  note("%-34s emmeans on gls's own fit: largest relative difference %.2g", name,
       max(abs(mine - cbind(es_gls$emmean, es_gls$SE)) / (1 + abs(cbind(es_gls$emmean, es_gls$SE)))))

  if (check_lmer) {
    # compound symmetry = a random intercept when the correlation is positive:
    # lmerTest's Satterthwaite df (its own parametrisation and numerical Hessian) must agree.
    stopifnot(covariance == "compound-symmetry", Sigma[1, 2] > 0)
    lfit <- lmer(update(form, . ~ . + (1 | subject)), data = obs, REML = TRUE,
                 control = lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5)))
    lmer_df <- sapply(seq_len(nrow(L)), function(i) contest(lfit, L[i, , drop = FALSE], ddf = "Satterthwaite")$DenDF)
    my_df <- sapply(lsmeans, function(e) e$df)
    gap <- max(abs(lmer_df - my_df) / my_df)
    note("%-34s lmerTest df vs ours: largest relative difference %.2g", name, gap)
    if (gap > 1e-4) stop(sprintf("%s: lmerTest's Satterthwaite df differ by %.2g", name, gap))
    if (abs(as.numeric(logLik(lfit)) - fitted$ll) > 1e-8 * abs(fitted$ll))
      stop(sprintf("%s: lmer REML loglik %.10g, ours %.10g", name, as.numeric(logLik(lfit)), fitted$ll))
  }

  n_par <- attr(logLik(gfit), "df")
  stopifnot(n_par == s$p + length(theta), qr(X)$rank == s$p)
  note("%-34s %.1f s", name, proc.time()[[3]] - t_start)
  add_case(name, "mmrm", input, c(cli_args(subject, time, value, baseline, group), options),
           list(n_subjects = length(unique(obs$subject)), n_observations = nrow(obs), dropped = r$dropped,
                covariance = list(kind = covariance, visits = as.list(visits),
                                  matrix = lapply(1:V, function(i) as.list(Sigma[i, ]))),
                loglik_reml = fitted$ll, aic = -2 * fitted$ll + 2 * n_par,
                lsmeans = lsmeans, differences = differences, converged = TRUE))
}

# ---- the cases ---------------------------------------------------------------------
chick <- list("chickweight.csv", "Chick", "Time", "weight", 0, "Diet")
body <- list("bodyweight.csv", "Rat", "Time", "weight", 1, "Diet")
ortho <- list("orthodont.csv", "Subject", "age", "distance", 8, "Sex")
cirr <- list("cirrhosis.csv", "id", "week", "albumin", 0, "arm")
# Made by `cirrus simulate` (examples/sim/ucmsc-rct.toml, seed 1): albumin at the scheduled
# visits of the first 24 weeks, deaths and missed visits included (PROVENANCE.md).
simulated <- list("simulated_albumin.csv", "subject", "day", "albumin", 0, "arm")
exact <- list("exact.csv", "subject", "visit", "score", 0, "arm")
ties <- list("ties.csv", "subject", "week", "score", 0, "group")
sparse <- list("sparse.csv", "subject", "time", "value", 0, "group")
missing <- list("missing.csv", "subject", "week", "value", 0, "group")
single <- list("single.csv", "subject", "time", "value", 0, NULL)
with_data <- function(f, data, name, ...) do.call(f, c(list(name), data, list(...)))

for (x in list(list("chickweight", chick), list("bodyweight", body), list("orthodont", ortho),
               list("cirrhosis", cirr), list("exact", exact), list("ties", ties), list("sparse", sparse),
               list("missing", missing), list("single", single), list("simulated", simulated)))
  with_data(change_case, x[[2]], paste0("change_", x[[1]]))
with_data(change_case, ortho[1:5], "change_orthodont_all")

with_data(ancova_case, ortho, "ancova_orthodont_14", at = 14)
with_data(ancova_case, chick, "ancova_chickweight_12", at = 12)
with_data(ancova_case, body, "ancova_bodyweight_64", at = 64)
with_data(ancova_case, cirr, "ancova_cirrhosis_48_covariates", at = 48, covariates = c("age", "meld"))
with_data(ancova_case, cirr, "ancova_cirrhosis_24", at = 24)
with_data(ancova_case, simulated, "ancova_simulated_168", at = 168)
with_data(ancova_case, exact, "ancova_exact_4", at = 4)
with_data(ancova_case, missing, "ancova_missing_8", at = 8)
with_data(ancova_case, single, "ancova_single_12", at = 12)

un <- c("--covariance", "unstructured")
cs <- c("--covariance", "compound-symmetry")
ar1 <- c("--covariance", "ar1")
satt <- c("--df", "satterthwaite")
resid <- c("--df", "residual")
mm <- function(name, data, covariance, df_method, options, ...)
  with_data(mmrm_case, data, name, covariance = covariance, df_method = df_method, options = options, ...)
mm("mmrm_orthodont_default", ortho, "unstructured", "satterthwaite", character(0))
mm("mmrm_orthodont_un_residual", ortho, "unstructured", "residual", c(un, resid))
mm("mmrm_orthodont_cs", ortho, "compound-symmetry", "satterthwaite", c(cs, satt), check_lmer = TRUE)
mm("mmrm_orthodont_ar1", ortho, "ar1", "satterthwaite", ar1)
mm("mmrm_chickweight_un", chick, "unstructured", "satterthwaite", c(un, satt))
mm("mmrm_chickweight_ar1", chick, "ar1", "satterthwaite", ar1)
mm("mmrm_bodyweight_cs", body, "compound-symmetry", "satterthwaite", cs, check_lmer = TRUE)
mm("mmrm_bodyweight_ar1_residual", body, "ar1", "residual", c(ar1, resid))
mm("mmrm_cirrhosis_un", cirr, "unstructured", "satterthwaite", un)
mm("mmrm_simulated_un", simulated, "unstructured", "satterthwaite", un)
mm("mmrm_simulated_ar1", simulated, "ar1", "satterthwaite", ar1)
mm("mmrm_cirrhosis_un_residual", cirr, "unstructured", "residual", c(un, resid))
mm("mmrm_cirrhosis_cs", cirr, "compound-symmetry", "satterthwaite", cs, check_lmer = TRUE)
mm("mmrm_cirrhosis_ar1", cirr, "ar1", "satterthwaite", ar1)
mm("mmrm_exact_un", exact, "unstructured", "satterthwaite", un)
mm("mmrm_ties_cs", ties, "compound-symmetry", "satterthwaite", cs)
mm("mmrm_sparse_cs", sparse, "compound-symmetry", "satterthwaite", cs)
mm("mmrm_sparse_ar1", sparse, "ar1", "satterthwaite", ar1)
mm("mmrm_missing_un", missing, "unstructured", "satterthwaite", un)
mm("mmrm_single_un", single, "unstructured", "satterthwaite", un)
mm("mmrm_single_cs_residual", single, "compound-symmetry", "residual", c(cs, resid))

writeLines(to_json(list(cases = cases)), file.path(out, "expected.json"))
note("%d cases written to %s", length(cases), file.path(out, "expected.json"))
