// Glicko-2 as in Glickman's "Example of the Glicko-2 system" (steps 1-8),
// with the Illinois variant of regula falsi for the new volatility.
#include "server/glicko2.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace checkers::server {
namespace {

constexpr double kScale = 173.7178;  // Glicko <-> Glicko-2 scale factor
constexpr double kEpsilon = 1e-6;    // convergence tolerance of step 5

double g(double phi) {
  return 1.0 / std::sqrt(1.0 + 3.0 * phi * phi / (std::numbers::pi * std::numbers::pi));
}

double expected(double mu, double mu_j, double phi_j) {
  return 1.0 / (1.0 + std::exp(-g(phi_j) * (mu - mu_j)));
}

// Step 5: the new volatility sigma' given delta, phi, v.
double new_volatility(double sigma, double phi, double v, double delta, double tau) {
  const double a = std::log(sigma * sigma);
  const double phi2 = phi * phi;
  const auto f = [&](double x) {
    const double ex = std::exp(x);
    const double d = phi2 + v + ex;
    return ex * (delta * delta - phi2 - v - ex) / (2.0 * d * d) - (x - a) / (tau * tau);
  };
  double A = a;
  double B;
  if (delta * delta > phi2 + v) {
    B = std::log(delta * delta - phi2 - v);
  } else {
    double k = 1;
    while (f(a - k * tau) < 0) k += 1;
    B = a - k * tau;
  }
  double fA = f(A), fB = f(B);
  for (int i = 0; i < 200 && std::fabs(B - A) > kEpsilon; ++i) {
    const double C = A + (A - B) * fA / (fB - fA);
    const double fC = f(C);
    if (fC * fB <= 0) {
      A = B;
      fA = fB;
    } else {
      fA /= 2;
    }
    B = C;
    fB = fC;
  }
  return std::exp(A / 2);
}

}  // namespace

Glicko glicko2_update(const Glicko& player,
                      std::span<const std::pair<Glicko, double>> opponents_and_scores, double tau) {
  if (opponents_and_scores.empty()) return glicko2_idle(player, 1.0);
  const double mu = (player.rating - 1500.0) / kScale;
  const double phi = player.rd / kScale;

  double inv_v = 0, sum = 0;
  for (const auto& [opp, score] : opponents_and_scores) {
    const double mu_j = (opp.rating - 1500.0) / kScale;
    const double g_j = g(opp.rd / kScale);
    const double e = expected(mu, mu_j, opp.rd / kScale);
    inv_v += g_j * g_j * e * (1 - e);
    sum += g_j * (score - e);
  }
  const double v = 1.0 / inv_v;
  const double delta = v * sum;
  const double sigma = new_volatility(player.volatility, phi, v, delta, tau);
  const double phi_star = std::sqrt(phi * phi + sigma * sigma);
  const double phi_new = 1.0 / std::sqrt(1.0 / (phi_star * phi_star) + 1.0 / v);
  const double mu_new = mu + phi_new * phi_new * sum;

  Glicko out;
  out.rating = mu_new * kScale + 1500.0;
  out.rd = std::min(phi_new * kScale, kMaxRd);
  out.volatility = sigma;
  return out;
}

GlickoResult rate_game(const Glicko& a, const Glicko& b, double score_a, double tau) {
  const std::pair<Glicko, double> vs_b[] = {{b, score_a}};
  const std::pair<Glicko, double> vs_a[] = {{a, 1.0 - score_a}};
  return {glicko2_update(a, vs_b, tau), glicko2_update(b, vs_a, tau)};
}

Glicko glicko2_idle(const Glicko& player, double periods) {
  Glicko out = player;
  const double phi = player.rd / kScale;
  const double phi_new =
      std::sqrt(phi * phi + std::max(periods, 0.0) * player.volatility * player.volatility);
  out.rd = std::min(phi_new * kScale, kMaxRd);
  return out;
}

}  // namespace checkers::server
