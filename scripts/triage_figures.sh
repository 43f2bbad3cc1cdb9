#!/bin/sh
# Train and evaluate the triage models whose figures are in docs/triage.md, on our own
# deterministic 80/20 split of the shared data (test side: --rows test).
# Usage: scripts/triage_figures.sh [MODEL_DIR]   (default: ./var/models)
set -eu
SHARED="${SMC_SHARED_DATA:-$(dirname "$0")/../../shared/data}"
DIR="${1:-var/models}"
SMC="${SMC:-.venv/bin/smc}"
TWEETS="$SHARED/tweets/crisislext26_shared70.csv"
NYC="$SHARED/complaints/nyc311_2011_shared70.csv"
set -- --model-dir "$DIR"

# Humanitarian information type (7 labels: "Not labeled"/"Not applicable" -> "Not related")
$SMC triage train --data "$TWEETS" --text tweet_text --label information_type \
  --map "Not labeled=Not related" --map "Not applicable=Not related" \
  --model info_type --rows train "$@"
$SMC triage eval --data "$TWEETS" --text tweet_text --label information_type \
  --map "Not labeled=Not related" --map "Not applicable=Not related" \
  --model info_type --rows test "$@"

# Related vs not related (informativeness)
$SMC triage train --data "$TWEETS" --text tweet_text --label informativeness \
  --map "Related and informative=related" --map "Related - but not informative=related" \
  --map "Not related=not related" --map "Not applicable=not related" \
  --model crisis_related --rows train "$@"
$SMC triage eval --data "$TWEETS" --text tweet_text --label informativeness \
  --map "Related and informative=related" --map "Related - but not informative=related" \
  --map "Not related=not related" --map "Not applicable=not related" \
  --model crisis_related --rows test "$@"

# Routing learned from history: NYC 311, text = Complaint Type + Descriptor, label = Agency
$SMC triage train --data "$NYC" --text "Complaint Type,Descriptor" --label Agency \
  --model nyc_routing --rows train --split-key "Unique Key" "$@"
$SMC triage eval --data "$NYC" --text "Complaint Type,Descriptor" --label Agency \
  --model nyc_routing --rows test --split-key "Unique Key" "$@"
