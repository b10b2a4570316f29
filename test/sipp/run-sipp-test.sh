#!/usr/bin/env bash
# Runs one SIPp scenario test: starts kamailio on a free loopback UDP port, runs up to
# two UAS scenarios and each UAC scenario against it, then stops the daemon and checks
# that it exited cleanly. Registered by kamailio_add_sipp_test() (see
# cmake/KamailioSipp.cmake and docs/testing-sipp.md); usable by hand as well.
#
# Usage: run-sipp-test.sh --kamailio BIN --moddir DIR --config CFG --workdir DIR
#            [--name NAME] [--sipp BIN] [--calls N] [--uas XML] [--uas-calls N]
#            [--uas2 XML] [--uas2-calls N]
#            [--define NAME=VAL]... [--sipp-timeout SECS] [--transport udp|tcp]
#            [--uas-transport udp|tcp] -- UAC.xml [UAC2.xml...]
#
# Each UAS gets its own port: the first reaches the config as -A UAS_PORT=<port> and the
# UACs as -key uas_port <port>; the second (--uas2, only with --uas) as -A UAS2_PORT and
# -key uas2_port. Both use the --uas-transport.
#
# Exit status: 0 when the daemon started, every SIPp run (UACs and UASes) exited 0 with
# all its calls successful, and the daemon stopped on SIGTERM with status 0 and removed
# its pid file.
# Environment: KSR_SIPP_KEEP=1 keeps the run directory even on success.

# The cleanup functions are reached through the EXIT trap, which shellcheck cannot follow.
# shellcheck disable=SC2317
set -u

usage() {
	sed -n '7,12p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

kamailio=
moddir=
config=
workdir=
name=sipp
sipp_bin=sipp
calls=1
uas=
uas_calls=
uas2=
uas2_calls=
sipp_timeout=20
transport=udp # the UACs' transport; the daemon listens on UDP, and on TCP too for tcp
uas_transport=udp # the UAS's; tcp also gives the daemon a TCP listener (to connect from)
defines=()
uacs=()

while [ $# -gt 0 ]; do
	case "$1" in
	--kamailio) kamailio=$2; shift 2 ;;
	--moddir) moddir=$2; shift 2 ;;
	--config) config=$2; shift 2 ;;
	--workdir) workdir=$2; shift 2 ;;
	--name) name=$2; shift 2 ;;
	--sipp) sipp_bin=$2; shift 2 ;;
	--calls) calls=$2; shift 2 ;;
	--uas) uas=$2; shift 2 ;;
	--uas-calls) uas_calls=$2; shift 2 ;;
	--uas2) uas2=$2; shift 2 ;;
	--uas2-calls) uas2_calls=$2; shift 2 ;;
	--define) defines+=("$2"); shift 2 ;;
	--sipp-timeout) sipp_timeout=$2; shift 2 ;;
	--transport) transport=$2; shift 2 ;;
	--uas-transport) uas_transport=$2; shift 2 ;;
	--) shift; uacs=("$@"); break ;;
	*) echo "run-sipp-test: unknown argument '$1'" >&2; usage ;;
	esac
done

if [ -z "$kamailio" ] || [ -z "$moddir" ] || [ -z "$config" ] || [ -z "$workdir" ] \
	|| [ ${#uacs[@]} -eq 0 ]; then
	usage
fi
if [ -n "$uas2" ] && [ -z "$uas" ]; then
	echo "run-sipp-test: --uas2 needs --uas" >&2
	usage
fi
[ -n "$uas_calls" ] || uas_calls=$calls
[ -n "$uas2_calls" ] || uas2_calls=$calls
for f in "$kamailio" "$config" ${uas:+"$uas"} ${uas2:+"$uas2"} "${uacs[@]}"; do
	if [ ! -e "$f" ]; then
		echo "run-sipp-test: $f: not found" >&2
		exit 2
	fi
done

export LC_ALL=C
mkdir -p "$workdir" || exit 2
run=$(mktemp -d "$workdir/$name.XXXXXX") || exit 2
pidfile=$run/kamailio.pid
daemon_log=$run/kamailio.log
have_ss=0
command -v ss >/dev/null 2>&1 && have_ss=1

daemon_pid=
uac_pid=
# The UASes by number, 1 (--uas) and 2 (--uas2): scenario, calls, run base name, and
# once started, port and pid.
uas_xml=([1]="$uas" [2]="$uas2")
uas_ncalls=([1]="$uas_calls" [2]="$uas2_calls")
uas_base=([1]="uas.$(basename "${uas:-none}" .xml)" [2]="uas2.$(basename "${uas2:-none}" .xml)")
uas_label=([1]=UAS [2]=UAS2)
uas_ports=()
uas_pids=()
status=1        # the test's result; set to 0 only once everything passed
sipp_runs=()    # base names (under $run) of the SIPp runs, for the failure report

log() { echo "[$name] $*"; }

# --- loopback port reservation -------------------------------------------------------
# Ports come from 20000-31999, below Linux's default ephemeral range. A port is taken
# only when no socket is bound to it (ss) and its lock file under $lockdir can be
# flock'ed: the lock is held by this script (and inherited by its children) until it
# exits, so tests run in parallel by ctest -j never pick the same port. The locks matter
# because kamailio binds UDP with SO_REUSEADDR: a second daemon on a taken port would
# not fail, the two would silently share it.
lockdir=${TMPDIR:-/tmp}/kamailio-sipp-ports
mkdir -p "$lockdir" 2>/dev/null && chmod 1777 "$lockdir" 2>/dev/null

port_bound() {
	[ "$have_ss" = 1 ] || return 1
	[ -n "$(ss -Hulnt "sport = :$1" 2>/dev/null)" ]
}

# reserve_port VAR: stores a reserved free port in VAR (locals are prefixed so that
# they cannot shadow the caller's VAR).
reserve_port() {
	local _rp_try _rp_port _rp_fd
	for ((_rp_try = 0; _rp_try < 200; _rp_try++)); do
		_rp_port=$((20000 + RANDOM % 12000))
		port_bound "$_rp_port" && continue
		exec {_rp_fd}>>"$lockdir/$_rp_port.lock" || continue
		if flock -n "$_rp_fd"; then
			# recheck: the lock may have been taken right after someone else bound it
			if ! port_bound "$_rp_port"; then
				printf -v "$1" '%s' "$_rp_port"
				return 0
			fi
		fi
		exec {_rp_fd}>&-
	done
	echo "run-sipp-test: no free loopback UDP port found" >&2
	return 1
}

# --- process helpers -----------------------------------------------------------------
alive() {
	local state
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	state=$(sed 's/^.*) \(.\).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# wait_exit PID SECS: waits for a child to exit, SIGKILLs it after SECS; sets
# exit_status to its exit status (137 when it had to be killed). Not to be called in
# a subshell: only this shell can reap its children.
exit_status=
wait_exit() {
	local pid=$1 secs=$2
	timeout "$secs" tail --pid="$pid" -s 0.1 -f /dev/null >/dev/null 2>&1
	if alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	exit_status=$?
}

# --- the daemon ----------------------------------------------------------------------
start_daemon() {
	local attempt i port log_lines
	local args=()
	for d in ${defines[@]+"${defines[@]}"}; do
		args+=(-A "$d")
	done
	for attempt in 1 2 3 4 5; do
		reserve_port port || return 1
		rm -f "$pidfile"
		log_lines=0
		[ -e "$daemon_log" ] && log_lines=$(wc -l <"$daemon_log")
		log "starting kamailio on udp:127.0.0.1:$port (attempt $attempt)"
		tcp_listen=()
		if [ "$transport" = tcp ] || [ "$uas_transport" = tcp ]; then
			tcp_listen=(-l "tcp:127.0.0.1:$port")
		fi
		# a runtime directory of its own: ctl's socket and jsonrpcs's FIFO go there, not
		# to /run/kamailio (which a fresh machine lacks and parallel tests would share)
		mkdir -p "$run/rundir"
		"$kamailio" -DD -E -f "$config" -L "$moddir" -l "udp:127.0.0.1:$port" \
			${tcp_listen[@]+"${tcp_listen[@]}"} -n 2 -Y "$run/rundir" \
			-P "$pidfile" ${args[@]+"${args[@]}"} >>"$daemon_log" 2>&1 </dev/null &
		daemon_pid=$!
		for i in $(seq 1 100); do
			[ -s "$pidfile" ] && break
			alive "$daemon_pid" || break
			sleep 0.1
		done
		if [ -s "$pidfile" ]; then
			# the file may be seen half-written: look again before complaining
			[ "$(cat "$pidfile")" = "$daemon_pid" ] || sleep 0.2
			if [ "$(cat "$pidfile")" != "$daemon_pid" ]; then
				log "pid file $pidfile holds '$(cat "$pidfile")', expected $daemon_pid"
				return 1
			fi
			# With SO_REUSEADDR a foreign socket on the port does not stop the bind.
			if [ "$have_ss" = 1 ] && [ "$(ss -Huln "sport = :$port" | wc -l)" -gt 1 ]; then
				log "udp port $port is shared with another socket, retrying"
				stop_daemon_quietly
				continue
			fi
			daemon_port=$port
			return 0
		fi
		if alive "$daemon_pid"; then
			log "kamailio did not write $pidfile within 10 s"
			return 1
		fi
		wait "$daemon_pid" 2>/dev/null
		log "kamailio exited with status $? before it was ready"
		daemon_pid=
		if tail -n +$((log_lines + 1)) "$daemon_log" \
			| grep -qiE 'bind|address already in use'; then
			log "port $port looks taken, retrying on another one"
			continue
		fi
		return 1
	done
	log "kamailio could not bind a port after 5 attempts"
	return 1
}

stop_daemon_quietly() {
	[ -n "$daemon_pid" ] || return 0
	kill -KILL "$daemon_pid" 2>/dev/null
	wait "$daemon_pid" 2>/dev/null
	daemon_pid=
}

# Stops the daemon with SIGTERM and checks it exited 0 and removed its pid file.
stop_daemon() {
	local rc ok=0
	[ -n "$daemon_pid" ] || return 1
	if ! alive "$daemon_pid"; then
		wait "$daemon_pid" 2>/dev/null
		log "kamailio died during the test (exit status $?)"
		daemon_pid=
		return 1
	fi
	kill -TERM "$daemon_pid"
	wait_exit "$daemon_pid" 10
	rc=$exit_status
	daemon_pid=
	if [ "$rc" = 137 ]; then
		log "kamailio did not stop within 10 s of SIGTERM; killed"
		ok=1
	elif [ "$rc" != 0 ]; then
		log "kamailio exited with status $rc after SIGTERM (expected 0)"
		ok=1
	fi
	if [ -e "$pidfile" ]; then
		log "kamailio left its pid file $pidfile behind"
		ok=1
	fi
	return $ok
}

# --- SIPp ----------------------------------------------------------------------------
# set_sipp_common BASE PORT SECS: the options every SIPp run gets, in sipp_common;
# SECS is SIPp's global timeout; traces land in $run/BASE.*
sipp_common=()
set_sipp_common() {
	local base=$1 port=$2 secs=$3
	# -bye: a call aborted on an unexpected reply sends no BYE (noise in the report)
	sipp_common=(-i 127.0.0.1 -p "$port" -nostdin -default_behaviors "all,-bye"
		-timeout "${secs}s" -timeout_error
		-trace_err -error_file "$run/$base.errors"
		-trace_msg -message_file "$run/$base.messages"
		-trace_logs -log_file "$run/$base.log"
		-trace_stat -stf "$run/$base.stat.csv")
}

# stat_value FILE COLUMN: the column's value in the last row of SIPp's -stf CSV.
stat_value() {
	awk -F';' -v col="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		{ last = $c }
		END { if (c) print last }' "$1" 2>/dev/null
}

# check_counts BASE EXPECTED: all EXPECTED calls successful, none failed.
check_counts() {
	local csv=$run/$1.stat.csv succ failed
	succ=$(stat_value "$csv" 'SuccessfulCall(C)')
	failed=$(stat_value "$csv" 'FailedCall(C)')
	if [ "$succ" != "$2" ] || [ "$failed" != 0 ]; then
		log "$1: $succ successful and $failed failed calls, expected $2 and 0"
		return 1
	fi
	return 0
}

bind_failed() {
	grep -qiE 'unable to bind|address already in use' "$run/$1.stderr" "$run/$1.errors" 2>/dev/null
}

# start_uas N: starts UAS number N and waits until it has bound its port.
start_uas() {
	local n=$1 xml=${uas_xml[$1]} base=${uas_base[$1]} label=${uas_label[$1]}
	local attempt i port pid
	sipp_runs+=("$base")
	for attempt in 1 2 3; do
		reserve_port port || return 1
		# The UAS outlives the UACs, so it gets a longer global timeout.
		set_sipp_common "$base" "$port" $((sipp_timeout + 10))
		log "starting $label $(basename "$xml") on $uas_transport:127.0.0.1:$port"
		uas_t=()
		[ "$uas_transport" = tcp ] && uas_t=(-t t1)
		"$sipp_bin" -sf "$xml" -m "${uas_ncalls[n]}" "${sipp_common[@]}" \
			${uas_t[@]+"${uas_t[@]}"} \
			>"$run/$base.screen" 2>"$run/$base.stderr" </dev/null &
		pid=$!
		uas_pids[n]=$pid
		uas_ports[n]=$port
		for i in $(seq 1 50); do
			alive "$pid" || break
			if [ "$have_ss" = 1 ]; then
				port_bound "$port" && return 0
			elif [ "$i" -ge 5 ]; then
				return 0
			fi
			sleep 0.1
		done
		if alive "$pid"; then
			log "$label did not bind $uas_transport:127.0.0.1:$port within 5 s"
			return 1
		fi
		wait "$pid" 2>/dev/null
		uas_pids[n]=
		uas_ports[n]=
		bind_failed "$base" && continue
		log "$label exited before it was ready"
		return 1
	done
	return 1
}

# finish_uas N: waits for UAS number N to end its calls; checks its status and counts.
finish_uas() {
	local n=$1 rc
	wait_exit "${uas_pids[n]}" $((sipp_timeout + 15))
	rc=$exit_status
	uas_pids[n]=
	if [ "$rc" != 0 ]; then
		log "${uas_label[n]} $(basename "${uas_xml[n]}") exited with status $rc"
		return 1
	fi
	check_counts "${uas_base[n]}" "${uas_ncalls[n]}"
}

run_uac() {
	local xml=$1 idx=$2 base port attempt rc
	base=uac$idx.$(basename "$xml" .xml)
	sipp_runs+=("$base")
	for attempt in 1 2 3; do
		reserve_port port || return 1
		set_sipp_common "$base" "$port" "$sipp_timeout"
		log "running $(basename "$xml"): $calls call(s) from udp:127.0.0.1:$port"
		# in the background, so that a signal to this script is handled at once
		uac_t=()
		[ "$transport" = tcp ] && uac_t=(-t t1)
		"$sipp_bin" "127.0.0.1:$daemon_port" -sf "$xml" -m "$calls" "${sipp_common[@]}" \
			${uac_t[@]+"${uac_t[@]}"} ${uas_ports[1]:+-key uas_port "${uas_ports[1]}"} \
			${uas_ports[2]:+-key uas2_port "${uas_ports[2]}"} \
			>"$run/$base.screen" 2>"$run/$base.stderr" </dev/null &
		uac_pid=$!
		wait "$uac_pid"
		rc=$?
		uac_pid=
		if [ "$rc" != 0 ] && bind_failed "$base"; then
			log "SIPp could not bind port $port, retrying"
			rm -f "$run/$base".*
			continue
		fi
		break
	done
	if [ "$rc" != 0 ]; then
		log "$(basename "$xml") failed: SIPp exit status $rc"
		return 1
	fi
	check_counts "$base" "$calls"
}

# --- reporting and cleanup -----------------------------------------------------------
show_file() {
	local f=$1 max=${2:-200} n
	[ -s "$f" ] || return 0
	n=$(wc -l <"$f")
	echo "----- $f${n:+ ($n lines)}"
	if [ "$n" -gt "$max" ]; then
		echo "  ... (first $((n - max)) lines left out)"
	fi
	tail -n "$max" "$f"
	echo
}

report_failure() {
	local b
	echo "===== sipp.$name FAILED; files kept in $run"
	show_file "$daemon_log" 300
	for b in ${sipp_runs[@]+"${sipp_runs[@]}"}; do
		show_file "$run/$b.stderr" 50
		show_file "$run/$b.errors" 200
		show_file "$run/$b.log" 50
		show_file "$run/$b.messages" 120
		# the final statistics screen
		[ -s "$run/$b.screen" ] && { echo "----- $run/$b.screen (last screen)"; \
			tail -n 40 "$run/$b.screen"; echo; }
	done
}

cleanup() {
	local rc=$? n
	trap - EXIT INT TERM HUP
	if [ -n "$uac_pid" ]; then
		kill -TERM "$uac_pid" 2>/dev/null
		wait_exit "$uac_pid" 5
		uac_pid=
	fi
	for n in 1 2; do
		if [ -n "${uas_pids[n]:-}" ]; then
			kill -TERM "${uas_pids[n]}" 2>/dev/null
			wait_exit "${uas_pids[n]}" 5
			uas_pids[n]=
		fi
	done
	if [ -n "$daemon_pid" ]; then
		# reached only on an early exit: the normal path stops the daemon itself
		stop_daemon || status=1
	fi
	[ "$rc" = 0 ] || status=1
	if [ "$status" = 0 ]; then
		log "PASSED"
		if [ "${KSR_SIPP_KEEP:-0}" = 1 ]; then
			log "files kept in $run"
		else
			rm -rf "$run"
		fi
		exit 0
	fi
	report_failure
	exit 1
}
trap cleanup EXIT
trap 'log "interrupted (SIGINT)"; exit 130' INT
trap 'log "interrupted (SIGTERM)"; exit 143' TERM
trap 'log "interrupted (SIGHUP)"; exit 129' HUP

# --- the test ------------------------------------------------------------------------
failed=0
daemon_port=
# the UASes come first, so that the daemon can be told their ports
if [ -n "$uas" ]; then
	start_uas 1 || exit 1
	defines+=("UAS_PORT=${uas_ports[1]}")
fi
if [ -n "$uas2" ]; then
	start_uas 2 || exit 1
	defines+=("UAS2_PORT=${uas_ports[2]}")
fi
start_daemon || exit 1

i=0
for xml in "${uacs[@]}"; do
	i=$((i + 1))
	run_uac "$xml" "$i" || failed=1
	if ! alive "$daemon_pid"; then
		log "kamailio is gone after $(basename "$xml")"
		failed=1
		break
	fi
done

for n in 1 2; do
	if [ -n "${uas_pids[n]:-}" ]; then
		finish_uas "$n" || failed=1
	fi
done
stop_daemon || failed=1
[ "$failed" = 0 ] && status=0
exit "$status"
