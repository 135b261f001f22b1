#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench_baseline.sh - one poll of the training job list done the way it is scripted without
# the agent: one `curl | jq` chain per page, one mosquitto_pub per job (the same retained job
# topics and payload fields as the agent: the eight API fields, status_name, phase, terminal),
# then one summary. make bench (tests/bench.py) runs it next to the agent and compares the CPU
# time and peak memory of its whole process tree.
#
# Usage: MODELARTS_TOKEN=... tests/bench_baseline.sh ENDPOINT PROJECT_ID CA_FILE PER_PAGE \
#            MQTT_PORT TOPIC_PREFIX
#   ENDPOINT      https://host:port of the API (the simulator in the bench)
#   CA_FILE       CA bundle that verifies it (curl --cacert)
#   PER_PAGE      1..1000; paging ends at a page shorter than PER_PAGE
#   MQTT_PORT     mosquitto on 127.0.0.1
#   TOPIC_PREFIX  the job topics are TOPIC_PREFIX/jobs/<job_id>
# Prints "<jobs> jobs on <pages> pages". Exits non-zero when a request or a publish fails.
set -euo pipefail
shopt -s lastpipe # the read loop runs in this shell: its count survives the pipeline

if [ $# -ne 6 ]; then
    sed -n '8,15p' "$0" >&2
    exit 2
fi
endpoint=$1 project=$2 ca_file=$3 per_page=$4 mqtt_port=$5 prefix=$6
: "${MODELARTS_TOKEN:?MODELARTS_TOKEN must hold the X-Auth-Token}"

# The agent's job payload, in jq: status_name is the JOBSTAT_ constant without its prefix,
# phase and terminal follow DESIGN.md's phase table.
# shellcheck disable=SC2016 # jq's own $variables
jq_program='
  def names: ["UNKNOWN","INIT","IMAGE_CREATING","IMAGE_FAILED","SUBMIT_TRYING",
    "SUBMIT_FAILED","DELETE_FAILED","WAITING","RUNNING","KILLING","COMPLETED","FAILED",
    "KILLED","CANCELED","LOST","SCALING","SUBMIT_MODEL_FAILED","DEPLOY_SERVICE_FAILED",
    "CHECK_INIT","CHECK_RUNNING","CHECK_RUNNING_COMPLETED","CHECK_FAILED","MOUNT_FAILED"];
  def phase: {"1":"pending","2":"pending","4":"pending","7":"pending","8":"running",
    "15":"running","9":"stopping","18":"review","19":"review","10":"succeeded",
    "20":"succeeded","3":"failed","5":"failed","6":"failed","11":"failed","14":"failed",
    "16":"failed","17":"failed","21":"failed","22":"failed","12":"canceled",
    "13":"canceled"}[tostring] // "unknown";
  .jobs[]
  | (.status | phase) as $phase
  | {job_id, job_name, version_id, status, create_time, duration, job_desc, version_count}
    + {status_name: (names[.status] // "CODE_\(.status)"), phase: $phase,
       terminal: ($phase == "succeeded" or $phase == "failed" or $phase == "canceled")}
  | "\(.job_id)\t\(tojson)"'

page=1
total=0
while :; do
    n=0
    curl -sS --fail --cacert "$ca_file" -H "X-Auth-Token: $MODELARTS_TOKEN" \
        "$endpoint/v1/$project/training-jobs?page=$page&per_page=$per_page" |
        jq -r "$jq_program" |
        while IFS=$'\t' read -r job_id payload; do
            mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -q 1 -r -t "$prefix/jobs/$job_id" \
                -m "$payload"
            n=$((n + 1))
        done
    total=$((total + n))
    if [ "$n" -lt "$per_page" ]; then
        break
    fi
    page=$((page + 1))
done
mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -q 1 -r -t "$prefix/summary" -m "{\"total\":$total}"
echo "$total jobs on $page pages"
