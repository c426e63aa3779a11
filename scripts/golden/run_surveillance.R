# Golden references: runs R surveillance (1.20.3) on the series written by make_series.py and writes the
# upper bounds and alarms to tests/golden/<method>.csv. Run through make_golden.sh. Yingji never calls R at
# run time; the CSVs are committed so the tests run without R.
suppressPackageStartupMessages(library(surveillance))
args <- commandArgs(trailingOnly = TRUE)
golden <- if (length(args) > 0) args[1] else "tests/golden"

read_series <- function(name) {
  table <- read.csv(file.path(golden, name), check.names = FALSE)
  as.matrix(table[, -1, drop = FALSE])
}
daily <- read_series("series_daily.csv")
weekly <- read_series("series_weekly.csv")
population <- read_series("population_weekly.csv")

long <- function(config, observed, res, from, extra = list()) {
  n <- nrow(upperbound(res))
  rows <- list()
  for (j in seq_len(ncol(observed))) {
    frame <- data.frame(config = config, series = colnames(observed)[j], t = from:(from + n - 1),
                        observed = observed[from:(from + n - 1), j],
                        upper = sprintf("%.17g", upperbound(res)[, j]),
                        alarm = as.integer(alarms(res)[, j]))
    for (name in names(extra)) frame[[name]] <- sprintf("%.17g", extra[[name]][, j])
    rows[[j]] <- frame
  }
  do.call(rbind, rows)
}

write_golden <- function(frames, name) {
  out <- do.call(rbind, frames)
  out$upper[out$upper == "NA"] <- ""
  for (col in setdiff(names(out), c("config", "series", "t", "observed", "upper", "alarm"))) {
    out[[col]][out[[col]] == "NA"] <- ""
  }
  write.csv(out, file.path(golden, name), row.names = FALSE, na = "", quote = FALSE)
  cat("wrote", name, nrow(out), "rows\n")
}

# EARS C1/C2/C3 on the daily series (R's default range: from the first point with enough history).
ears_configs <- list(
  C1 = list(method = "C1"),
  C2 = list(method = "C2"),
  C3 = list(method = "C3"),
  C1_b10_a05_s1 = list(method = "C1", baseline = 10, alpha = 0.05, minSigma = 1),
  C2_b5_a01 = list(method = "C2", baseline = 5, alpha = 0.01),
  C3_b7_a001_s05 = list(method = "C3", baseline = 7, alpha = 0.001, minSigma = 0.5)
)
frames <- list()
for (config in names(ears_configs)) {
  control <- ears_configs[[config]]
  s <- sts(observed = daily, frequency = 365, start = c(2000, 1))
  res <- earsC(s, control = control)
  from <- nrow(daily) - nrow(upperbound(res)) + 1
  frames[[config]] <- long(config, daily, res, from)
}
write_golden(frames, "ears.csv")

# CUSUM: daily series, range = the second half (Yingji's default start); weekly series for m = "glm".
cusum_configs <- list(
  standard = list(series = "daily", control = list(trans = "standard")),
  rossi = list(series = "daily", control = list(trans = "rossi")),
  anscombe = list(series = "daily", control = list(trans = "anscombe")),
  none = list(series = "daily", control = list(trans = "none", k = 5, h = 10)),
  pearson_negbin = list(series = "daily", control = list(trans = "pearsonNegBin", alpha = 0.2)),
  standard_k05_h4 = list(series = "daily", control = list(trans = "standard", k = 0.5, h = 4)),
  glm_standard = list(series = "weekly", control = list(trans = "standard", m = "glm")),
  glm_rossi = list(series = "weekly", control = list(trans = "rossi", m = "glm"))
)
frames <- list()
for (config in names(cusum_configs)) {
  spec <- cusum_configs[[config]]
  observed <- if (spec$series == "daily") daily else weekly
  keep <- colnames(observed) != "gaps"  # R propagates NA through the whole CUSUM; Yingji skips gaps
  observed <- observed[, keep, drop = FALSE]
  freq <- if (spec$series == "daily") 365 else 52
  from <- nrow(observed) %/% 2 + 1
  control <- spec$control
  control$range <- from:nrow(observed)
  s <- sts(observed = observed, frequency = freq, start = c(2000, 1))
  res <- cusum(s, control = control, verbose = FALSE)
  frames[[config]] <- long(config, observed, res, from)
}
write_golden(frames, "cusum.csv")

# Farrington flexible on the weekly series (integer time, no dates: epochAsDate = FALSE).
farrington_configs <- list(
  default = list(),
  noufaily = list(noPeriods = 10, pastWeeksNotIncluded = 26),
  nbplugin = list(thresholdMethod = "nbPlugin"),
  muan = list(thresholdMethod = "muan", noPeriods = 10, pastWeeksNotIncluded = 26),
  b3_w2_half = list(b = 3, w = 2, powertrans = "1/2", alpha = 0.01),
  none_noreweight = list(powertrans = "none", reweight = FALSE, trend = FALSE),
  notrend_pwni1 = list(trend = FALSE, pastWeeksNotIncluded = 1, limit54 = c(3, 2)),
  population = list(populationOffset = TRUE),
  population_noufaily = list(populationOffset = TRUE, noPeriods = 10, pastWeeksNotIncluded = 26)
)
frames <- list()
for (config in names(farrington_configs)) {
  control <- farrington_configs[[config]]
  control$glmWarnings <- FALSE
  s <- sts(observed = weekly, frequency = 52, start = c(2000, 1), population = population)
  res <- farringtonFlexible(s, control = control)
  from <- nrow(weekly) - nrow(upperbound(res)) + 1
  frames[[config]] <- long(config, weekly, res, from,
                           extra = list(expected = res@control$expected, phi = res@control$phiVector,
                                        trend = res@control$trend))
}
write_golden(frames, "farrington_flexible.csv")
