#!/usr/bin/env bash
# Mutation testing of the domain modules with cosmic-ray (requirements-mutation.txt). Not part
# of CI: run it by hand or nightly. Each module is mutated in a copy of the tree (var/mutation/,
# the working tree is never touched), niced, on SQLite (one reused test database), against the
# few test files that exercise it; pytest stops at the first failure (-x), so a killed mutant
# costs one failing test. Resumable: a module's session is kept and only mutants not yet run are.
#
#   bash bench/mutation.sh                       # every module, in the order below
#   bash bench/mutation.sh identity calculation  # some of them
#   FRESH=1 bash bench/mutation.sh quality       # forget a module's earlier results
#   bash bench/mutation.sh rules_cases & bash bench/mutation.sh scoping   # two at once (own trees)
#   RETEST=1 bash bench/mutation.sh identity     # run the survivors again (after adding tests),
#                                                # not the known-equivalent ones (RETEST=all: those too)
#   MUTATION_DATABASE_URL=postgres://postgres@127.0.0.1:5432/eb_mutation RETEST=1 bash bench/mutation.sh engine
#                                                # the survivors again on PostgreSQL (code only it runs)
#
# Prints per module "killed/total rate %" and each surviving mutant (file:line operator); the
# last line is one JSON object with the rates. Survivors and why they live: bench/README.md.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
py=$repo/.venv/bin/python
"$py" -c "import cosmic_ray" 2>/dev/null || "$py" -m pip install -q -r "$repo/requirements-mutation.txt"
work=$repo/var/mutation
copy_tree() {  # a fresh copy of the tracked and new files (not .venv, var, caches) for one module
  mkdir -p "$1"
  (cd "$repo" && git ls-files -co --exclude-standard -z | rsync -a --checksum --from0 --files-from=- ./ "$1/")
  ln -sfn "$repo/.venv" "$1/.venv"
}

# name | files to mutate | only these functions (empty: all) | tests
MODULES=(
  "identity|cases/identity.py||tests/cases/test_identity.py"
  "calculation|cases/calculation.py||tests/cases/finance/test_worked_examples.py"
  "quality|planning/quality.py||tests/planning/test_quality.py"
  "full_time|insatser/full_time.py||tests/insatser/test_full_time.py"
  "exemptions|insatser/services.py|exemption_create|tests/insatser/test_exemptions.py"
  "rules_planning|audit/control/rules/planning.py||tests/audit/test_rules_planning.py tests/audit/test_rule_parameters.py"
  "rules_cases|audit/control/rules/cases.py||tests/audit/test_rules_cases.py tests/audit/test_rule_parameters.py"
  "rules_insatser|audit/control/rules/insatser.py||tests/audit/test_rules_insatser.py tests/audit/test_rule_parameters.py"
  "rules_actions|audit/control/rules/actions.py audit/control/rules/common.py||tests/audit/test_rule_actions.py tests/audit/test_rule_parameters.py tests/audit/test_rules_planning.py tests/audit/test_ownership.py"
  "execution_selectors|cases/execution_selectors.py||tests/audit/reports/test_unexecuted.py tests/cases/finance/test_delay_reason.py tests/audit/test_rules_cases.py"
  "scoping|cases/selectors.py insatser/selectors.py planning/selectors.py audit/control/selectors.py||tests/cases/test_scoping.py tests/insatser/test_selectors.py tests/planning/test_selectors.py tests/audit/test_api.py tests/audit/test_control_selectors.py tests/audit/test_access_log_review.py tests/audit/test_views_rule_runs.py"
  "access_log|audit/recording/log.py||tests/audit/test_access_log.py tests/cases/test_search_privacy.py"
  "engine|audit/control/engine.py||tests/audit/test_engine_lifecycle.py tests/audit/test_engine_set_based.py tests/audit/test_rules_planning.py tests/audit/test_rule_parameters.py"
  "rules_access_log|audit/control/rules/access_log.py||tests/audit/test_access_log_review.py tests/audit/test_hash_chain.py tests/audit/test_rule_parameters.py::test_an_administrator_sets_a_limit_within_its_range_and_no_further"
  "rules_ownership|audit/control/rules/ownership.py||tests/audit/test_ownership.py"
)
wanted=" $* "
json="{"
for spec in "${MODULES[@]}"; do
  IFS='|' read -r name files functions tests <<<"$spec"
  [ $# -eq 0 ] || [[ $wanted == *" $name "* ]] || continue
  export MUTATION_MODULE=$name  # its own PostgreSQL test database with MUTATION_DATABASE_URL
  # Each module in its own copy of the tree (with its own test database), so two invocations
  # for different modules may run side by side without one's mutant failing the other's tests.
  tree=$work/$name/tree
  session=$work/$name/session.sqlite
  config=$work/$name/cosmic-ray.toml
  copy_tree "$tree"
  [ -z "${FRESH:-}" ] || rm -f "$session"
  paths=$(printf '"%s", ' $files)
  cat >"$config" <<TOML
[cosmic-ray]
module-path = [${paths%, }]
timeout = 300.0
excluded-modules = []
test-command = "$py -m pytest -x -q -p no:cacheprovider --reuse-db --ds=bench.mutation_settings $tests"
[cosmic-ray.distributor]
name = "local"
TOML
  cd "$tree"
  if [ ! -f "$session" ]; then
    "$repo/.venv/bin/cosmic-ray" init "$config" "$session" >/dev/null
    # shellcheck disable=SC2086
    "$py" "$repo/bench/mutation_tool.py" select "$session" $functions
    # The unmutated tests must pass here first (and this builds the reused test database).
    nice -n 10 $py -m pytest -x -q -p no:cacheprovider --reuse-db --ds=bench.mutation_settings $tests >/dev/null
  fi
  [ -z "${RETEST:-}" ] || "$py" "$repo/bench/mutation_tool.py" retest "$session" "$RETEST"
  nice -n 10 "$repo/.venv/bin/cosmic-ray" exec "$config" "$session" >/dev/null 2>&1 || true
  report=$("$py" "$repo/bench/mutation_tool.py" rate "$session" "$name")
  grep -v '^JSON ' <<<"$report" || true
  json+="\"$name\": $(sed -n 's/^JSON //p' <<<"$report"), "
  cd "$repo"
done
echo "${json%, }}"
