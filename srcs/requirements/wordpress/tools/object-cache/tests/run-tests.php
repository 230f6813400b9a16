<?php
/**
 * Tests for object-cache.php, plain PHP (no PHPUnit). Started by tests/run.sh, which
 * provides a throwaway redis-server through environment variables:
 *   REDIS_TEST_HOST, REDIS_TEST_PORT, REDIS_TEST_PASSWORD_FILE, REDIS_TEST_DB,
 *   REDIS_TEST_CONF (redis.conf used to restart the server), REDIS_TEST_TMP (scratch dir),
 *   WP_CORE_DIR (optional: a WordPress 6.1 tree, enables the checks against core).
 * Some scenarios need other constants than the main run (constants cannot be redefined),
 * so the file re-runs itself as a child: `php run-tests.php --child NAME`.
 * The last line printed is "N passed, N failed"; the exit status is non-zero on failure.
 */

error_reporting( E_ALL );
ini_set( 'display_errors', 'stderr' );

$CHILD = null;
if ( isset( $argv[1], $argv[2] ) && '--child' === $argv[1] ) {
	$CHILD = $argv[2];
}

/* ------------------------------------------------------------------ harness */

$PASSED  = 0;
$FAILED  = 0;
$SKIPPED = 0;
$RESULTS = array();

function t( $name, $ok, $detail = '' ) {
	global $PASSED, $FAILED, $RESULTS, $CHILD;
	$ok = (bool) $ok;
	$ok ? $PASSED++ : $FAILED++;
	$RESULTS[] = array( $name, $ok, (string) $detail );
	if ( null === $CHILD ) {
		echo ( $ok ? 'ok   ' : 'FAIL ' ) . $name . ( $ok || '' === $detail ? '' : "\n       " . $detail ) . "\n";
	}
}

function skip( $name, $why ) {
	global $SKIPPED, $CHILD, $CHILD_SKIPS;
	$SKIPPED++;
	$CHILD_SKIPS[] = array( $name, $why );
	if ( null === $CHILD ) {
		echo "skip $name ($why)\n";
	}
}

// Whatever happens (uncaught exception, fatal error), the last line is the summary.
$SUMMARY_PRINTED = false;
function print_summary() {
	global $PASSED, $FAILED, $SKIPPED, $SUMMARY_PRINTED;
	$SUMMARY_PRINTED = true;
	if ( $SKIPPED ) {
		echo "$SKIPPED skipped\n";
	}
	echo "$PASSED passed, $FAILED failed\n";
}
if ( null === $CHILD ) {
	register_shutdown_function(
		function () {
			global $SUMMARY_PRINTED;
			if ( ! $SUMMARY_PRINTED ) {
				$e = error_get_last();
				t( 'test run completed', false, $e ? $e['message'] : 'aborted' );
				print_summary();
				exit( 1 );
			}
		}
	);
	set_exception_handler(
		function ( $e ) {
			t( 'no uncaught exception', false, get_class( $e ) . ': ' . $e->getMessage() . ' at ' . basename( $e->getFile() ) . ':' . $e->getLine() );
			print_summary();
			exit( 1 );
		}
	);
}

function same( $name, $expected, $actual ) {
	t( $name, $expected === $actual, 'expected ' . var_export( $expected, true ) . ', got ' . var_export( $actual, true ) );
}

function env( $name, $default = null ) {
	$v = getenv( $name );
	return false === $v ? $default : $v;
}

/* ------------------------------------------------------------------ configuration */

$TMP = env( 'REDIS_TEST_TMP', sys_get_temp_dir() );
if ( null === env( 'REDIS_TEST_PORT' ) ) {
	t( 'REDIS_TEST_* set (run tests/run.sh)', false );
	print_summary();
	exit( 1 );
}
$REAL_PASSWORD_FILE = env( 'REDIS_TEST_PASSWORD_FILE', '' );
$PASSWORD           = '' !== $REAL_PASSWORD_FILE ? rtrim( file_get_contents( $REAL_PASSWORD_FILE ), "\r\n" ) : '';

// The drop-in reads the password file at init; the parent uses its own copy so it can
// break it (wrong password) and restore it.
if ( null === $CHILD ) {
	$PW_FILE = $TMP . '/password-for-tests';
	file_put_contents( $PW_FILE, $PASSWORD . "\n" );
} else {
	$PW_FILE = env( 'REDIS_TEST_PASSWORD_FILE', '' );
}

define( 'WP_REDIS_OBJECT_CACHE_TESTING', true );
define( 'WP_REDIS_HOST', env( 'REDIS_TEST_HOST', '127.0.0.1' ) );
define( 'WP_REDIS_PORT', (int) env( 'REDIS_TEST_PORT' ) );
define( 'WP_REDIS_DATABASE', (int) env( 'REDIS_TEST_DB', 0 ) );
define( 'WP_REDIS_TIMEOUT', 0.2 );
if ( '' !== $PW_FILE ) {
	define( 'WP_REDIS_PASSWORD_FILE', $PW_FILE );
}
$MARKER = env( 'REDIS_TEST_MARKER', $TMP . '/object-cache-down-marker' );
define( 'WP_REDIS_OUTAGE_MARKER', $MARKER );
if ( null !== env( 'REDIS_TEST_SALT' ) ) {
	define( 'WP_CACHE_KEY_SALT', env( 'REDIS_TEST_SALT' ) );
}
define( 'DB_NAME', 'wordpress' );
define( 'DB_HOST', 'mariadb' );
$table_prefix = 'wp_';

$LOG = $TMP . '/php-error-' . ( null === $CHILD ? 'main' : $CHILD ) . '.log';
ini_set( 'log_errors', '1' );
ini_set( 'error_log', $LOG );

function log_reset() {
	global $LOG;
	file_put_contents( $LOG, '' );
}
function log_lines() {
	global $LOG;
	clearstatcache();
	$text = is_file( $LOG ) ? file_get_contents( $LOG ) : '';
	return array_values( array_filter( explode( "\n", $text ), 'strlen' ) );
}

/* ------------------------------------------------------------------ WordPress stubs */

$GLOBALS['blog_id']            = 1;
$GLOBALS['__suspend']          = false;
$GLOBALS['__doing_it_wrong']   = array();
$GLOBALS['__deprecated']       = array();

if ( 'wp-load' !== $CHILD ) { // That child loads core's own load.php and functions.php instead.
	function is_multisite() {
		return true;
	}
	function get_current_blog_id() {
		return (int) $GLOBALS['blog_id'];
	}
	function wp_suspend_cache_addition( $suspend = null ) {
		return $GLOBALS['__suspend'];
	}
	function __( $text, $domain = 'default' ) {
		return $text;
	}
	function _doing_it_wrong( $function, $message, $version ) {
		$GLOBALS['__doing_it_wrong'][] = $function;
	}
	function _deprecated_function( $function, $version, $replacement = '' ) {
		$GLOBALS['__deprecated'][] = $function;
	}
}

/* ------------------------------------------------------------------ raw RESP client (independent of the drop-in) */

class Raw {
	private $s;
	public function __construct( $auth = true ) {
		global $PASSWORD;
		$this->s = @stream_socket_client( 'tcp://' . WP_REDIS_HOST . ':' . WP_REDIS_PORT, $no, $str, 1 );
		if ( ! $this->s ) {
			throw new RuntimeException( "raw connect failed: $str" );
		}
		stream_set_timeout( $this->s, 5 );
		if ( $auth && '' !== $PASSWORD ) {
			$this->cmd( 'AUTH', $PASSWORD );
		}
		$this->cmd( 'SELECT', WP_REDIS_DATABASE );
	}
	public function cmd( ...$args ) {
		$out = '*' . count( $args ) . "\r\n";
		foreach ( $args as $a ) {
			$out .= '$' . strlen( (string) $a ) . "\r\n" . $a . "\r\n";
		}
		fwrite( $this->s, $out );
		return $this->reply();
	}
	private function reply() {
		$line = fgets( $this->s );
		if ( false === $line ) {
			return null;
		}
		$line = rtrim( $line, "\r\n" );
		$rest = substr( $line, 1 );
		switch ( $line[0] ) {
			case '+':
				return $rest;
			case '-':
				return 'ERR:' . $rest;
			case ':':
				return (int) $rest;
			case '$':
				if ( (int) $rest < 0 ) {
					return null;
				}
				$d = '';
				while ( strlen( $d ) < (int) $rest + 2 ) {
					$d .= fread( $this->s, (int) $rest + 2 - strlen( $d ) );
				}
				return substr( $d, 0, -2 );
			case '*':
				$a = array();
				for ( $i = 0; $i < (int) $rest; $i++ ) {
					$a[] = $this->reply();
				}
				return $a;
		}
		return null;
	}
	public function keys( $pattern ) {
		$r = $this->cmd( 'KEYS', $pattern );
		sort( $r );
		return $r;
	}
}

function redis_up() {
	try {
		$r = new Raw();
		return 'PONG' === $r->cmd( 'PING' );
	} catch ( RuntimeException $e ) {
		return false;
	}
}

function redis_stop() {
	$r = new Raw();
	$r->cmd( 'SHUTDOWN', 'SAVE' ); // Saves to dump.rdb, so keys set before the outage survive the restart.
	for ( $i = 0; $i < 50 && redis_up(); $i++ ) {
		usleep( 100000 );
	}
}

function redis_start() {
	exec( 'redis-server ' . escapeshellarg( env( 'REDIS_TEST_CONF' ) ) . ' 2>&1', $out, $rc );
	for ( $i = 0; $i < 50 && ! redis_up(); $i++ ) {
		usleep( 100000 );
	}
	// Wait until the dump is loaded (LOADING replies otherwise).
	for ( $i = 0; $i < 50; $i++ ) {
		$r = new Raw();
		if ( 'PONG' === $r->cmd( 'PING' ) ) {
			break;
		}
		usleep( 100000 );
	}
}

/** Runs this file as a child scenario with extra env; merges its results. */
function child( $name, array $env = array() ) {
	global $PASSED, $FAILED, $SKIPPED;
	$cmd  = array_merge( array( PHP_BINARY, __FILE__, '--child', $name ) );
	$full = array_merge( getenv(), $env );
	foreach ( $full as $k => $v ) {
		if ( null === $v ) {
			unset( $full[ $k ] );
		}
	}
	$proc = proc_open( $cmd, array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes, null, $full );
	$out  = stream_get_contents( $pipes[1] );
	$err  = stream_get_contents( $pipes[2] );
	fclose( $pipes[1] );
	fclose( $pipes[2] );
	proc_close( $proc );
	$json = null;
	foreach ( explode( "\n", $out ) as $line ) {
		if ( 0 === strpos( $line, 'CHILD-RESULT ' ) ) {
			$json = json_decode( substr( $line, 13 ), true );
		}
	}
	if ( ! is_array( $json ) ) {
		t( "child $name ran", false, trim( $out . "\n" . $err ) );
		return;
	}
	foreach ( $json['results'] as $r ) {
		t( "[$name] " . $r[0], $r[1], $r[2] );
	}
	foreach ( $json['skipped'] as $s ) {
		skip( "[$name] " . $s[0], $s[1] );
	}
	if ( '' !== trim( $err ) ) {
		t( "[$name] no PHP warnings on stderr", false, trim( $err ) );
	}
}

function child_done() {
	global $RESULTS, $CHILD_SKIPS;
	echo 'CHILD-RESULT ' . json_encode(
		array(
			'results' => $RESULTS,
			'skipped' => isset( $CHILD_SKIPS ) ? $CHILD_SKIPS : array(),
		)
	) . "\n";
	exit( 0 );
}

/* ------------------------------------------------------------------ children that need stubs before the include */

if ( 'ui' === $CHILD || 'ui-core' === $CHILD || 'ui-core-early' === $CHILD ) {
	require __DIR__ . '/ui-scenarios.php';
	child_done();
}

if ( 'wp-load' === $CHILD ) {
	require __DIR__ . '/wp-load-scenario.php';
	child_done();
}

require __DIR__ . '/../object-cache.php';

function new_request() {
	wp_cache_init();
	// What wp_start_object_cache() does right after init.
	wp_cache_add_global_groups( array( 'users', 'site-options', 'site-transient' ) );
	wp_cache_add_non_persistent_groups( array( 'counts', 'plugins' ) );
	return $GLOBALS['wp_object_cache'];
}

function rkey( $key, $group = 'default', $scope = '1' ) {
	return $GLOBALS['wp_object_cache']->prefix . ':' . $scope . ':' . $group . ':' . $key;
}

/* ------------------------------------------------------------------ child scenarios */

if ( 'nopass' === $CHILD ) {
	// No WP_REDIS_PASSWORD_FILE: the server requires a password, so Redis is refused.
	log_reset();
	$c = new_request();
	same( 'no password: disconnected', 'disconnected', $c->redis_status()['status'] );
	$lines = log_lines();
	same( 'no password: exactly one log line', 1, count( $lines ) );
	t( 'no password: reason NOAUTH logged', isset( $lines[0] ) && false !== strpos( $lines[0], 'NOAUTH' ), implode( ' | ', $lines ) );
	t( 'no password: still works from memory', wp_cache_set( 'k', 'v' ) && 'v' === wp_cache_get( 'k' ) );
	child_done();
}

if ( 'salt' === $CHILD ) {
	$c = new_request();
	same( 'WP_CACHE_KEY_SALT is the prefix (trailing colon trimmed)', 'site-b', $c->prefix );
	wp_cache_set( 'k', 'from-b' );
	$raw = new Raw();
	same( 'salted key in Redis', serialize( 'from-b' ), $raw->cmd( 'GET', 'site-b:1:default:k' ) );
	child_done();
}

if ( 'hang' === $CHILD ) {
	// REDIS_TEST_PORT points at a socket that accepts but never answers.
	log_reset();
	$t0 = microtime( true );
	$c  = new_request();
	$dt = microtime( true ) - $t0;
	same( 'silent server: disconnected', 'disconnected', $c->redis_status()['status'] );
	t( 'silent server: init gives up within the read timeout (< 1.5 s)', $dt < 1.5, sprintf( '%.2f s', $dt ) );
	$lines = log_lines();
	t( 'silent server: one log line mentioning the timeout', 1 === count( $lines ) && false !== strpos( $lines[0], 'timeout' ), implode( ' | ', $lines ) );
	t( 'silent server: memory works', wp_cache_add( 'a', 1 ) && 2 === wp_cache_incr( 'a' ) );
	child_done();
}

if ( 'unreachable' === $CHILD ) {
	// Nothing listens: connection refused quickly.
	log_reset();
	$t0 = microtime( true );
	$c  = new_request();
	$dt = microtime( true ) - $t0;
	same( 'refused: disconnected', 'disconnected', $c->redis_status()['status'] );
	t( 'refused: fast (< 0.5 s)', $dt < 0.5, sprintf( '%.2f s', $dt ) );
	same( 'refused: one log line', 1, count( log_lines() ) );
	child_done();
}

if ( null !== $CHILD ) {
	t( "unknown child $CHILD", false );
	child_done();
}

/* ================================================================== main run */

echo 'PHP ' . PHP_VERSION . ', phpredis extension ' . ( extension_loaded( 'redis' ) ? 'loaded (not used)' : 'absent' ) . "\n";
$raw = new Raw();
$raw->cmd( 'FLUSHDB' );
@unlink( $MARKER );
log_reset();

/* --- basics */
$c = new_request();
same( 'connected at init', 'connected', $c->redis_status()['status'] );
same( 'nothing logged when Redis is fine', array(), log_lines() );
t( 'prefix derived from DB_NAME + $table_prefix', 0 === strpos( $c->prefix, 'wp.wordpress.wp_.' ), $c->prefix );
same( 'WP_Object_Cache in $GLOBALS', true, $GLOBALS['wp_object_cache'] instanceof WP_Object_Cache );

foreach ( array( 'add_multiple', 'set_multiple', 'get_multiple', 'delete_multiple', 'flush_runtime', 'flush_group' ) as $f ) {
	same( "wp_cache_supports($f)", true, wp_cache_supports( $f ) );
}
same( 'wp_cache_supports(unknown) is false', false, wp_cache_supports( 'something_else' ) );

/* --- set / get / found */
same( 'set returns true', true, wp_cache_set( 'k1', 'v1' ) );
$found = null;
same( 'get returns the value', 'v1', wp_cache_get( 'k1', '', false, $found ) );
same( 'found=true on hit', true, $found );
same( 'key layout <prefix>:<blog>:<group>:<key>', serialize( 'v1' ), $raw->cmd( 'GET', rkey( 'k1' ) ) );
same( "empty group is 'default'", 'v1', wp_cache_get( 'k1', 'default' ) );
$found = null;
same( 'miss returns false', false, wp_cache_get( 'nope', '', false, $found ) );
same( 'found=false on miss', false, $found );
wp_cache_set( 'f', false );
$found = null;
same( 'stored false returns false', false, wp_cache_get( 'f', '', false, $found ) );
same( 'found=true for a stored false', true, $found );

/* --- types survive Redis (read back by a new request) */
$values = array(
	'int'       => 42,
	'negint'    => -7,
	'numstr'    => '5',
	'float'     => 1.5,
	'true'      => true,
	'false'     => false,
	'null'      => null,
	'array'     => array( 'a' => 1, 'b' => array( 2, 3 ) ),
	'emptystr'  => '',
	'binary'    => "a\r\nb\0c",
	'bigstring' => str_repeat( 'x', 200000 ),
);
foreach ( $values as $k => $v ) {
	wp_cache_set( "type-$k", $v, 'types' );
}
same( 'ints are stored raw (INCRBY-able)', '42', $raw->cmd( 'GET', rkey( 'type-int', 'types' ) ) );
same( 'numeric strings stay serialized strings', serialize( '5' ), $raw->cmd( 'GET', rkey( 'type-numstr', 'types' ) ) );
$c = new_request();
foreach ( $values as $k => $v ) {
	$found = null;
	$got   = wp_cache_get( "type-$k", 'types', false, $found );
	t( "type $k round-trips through Redis", $v === $got && true === $found, var_export( $found, true ) . ' ' . substr( var_export( $got, true ), 0, 80 ) );
}
same( 'those were Redis hits', count( $values ), $c->redis_hits );

/* --- objects are cloned */
$o       = new stdClass();
$o->name = 'orig';
wp_cache_set( 'obj', $o );
$o->name = 'changed-after-set';
same( 'mutating the original after set does not change the cache', 'orig', wp_cache_get( 'obj' )->name );
$got       = wp_cache_get( 'obj' );
$got->name = 'changed-after-get';
same( 'mutating a returned object does not change the cache', 'orig', wp_cache_get( 'obj' )->name );
t( 'get returns a new copy each time', wp_cache_get( 'obj' ) !== wp_cache_get( 'obj' ) );
$c         = new_request();
$got       = wp_cache_get( 'obj' );
$got->name = 'changed-after-redis-get';
same( 'objects read from Redis are cloned too', 'orig', wp_cache_get( 'obj' )->name );
same( 'stdClass class preserved', 'stdClass', get_class( wp_cache_get( 'obj' ) ) );

/* --- add / replace */
same( 'add a new key', true, wp_cache_add( 'a1', 'first' ) );
same( 'add fails when the key exists', false, wp_cache_add( 'a1', 'second' ) );
same( 'add did not overwrite', 'first', wp_cache_get( 'a1' ) );
$c = new_request();
same( 'add fails when the key exists only in Redis (other request)', false, wp_cache_add( 'a1', 'third' ) );
same( '... and keeps the Redis value', 'first', wp_cache_get( 'a1' ) );
same( 'replace fails when missing', false, wp_cache_replace( 'r-missing', 'x' ) );
same( 'replace on a miss creates nothing in Redis', 0, $raw->cmd( 'EXISTS', rkey( 'r-missing' ) ) );
wp_cache_set( 'r1', 'old' );
same( 'replace succeeds when present', true, wp_cache_replace( 'r1', 'new' ) );
same( 'replace stored the value', 'new', wp_cache_get( 'r1' ) );
$c = new_request();
same( 'replace succeeds for a key only in Redis', true, wp_cache_replace( 'r1', 'newer' ) );
same( 'replace wrote Redis', serialize( 'newer' ), $raw->cmd( 'GET', rkey( 'r1' ) ) );
$GLOBALS['__suspend'] = true;
same( 'add refused while wp_suspend_cache_addition()', false, wp_cache_add( 'suspended', 1 ) );
$GLOBALS['__suspend'] = false;

/* --- invalid keys */
$GLOBALS['__doing_it_wrong'] = array();
same( 'empty key: set fails', false, wp_cache_set( '', 'x' ) );
same( 'array key: get fails', false, wp_cache_get( array( 'x' ) ) );
same( 'invalid keys report _doing_it_wrong', array( 'WP_Object_Cache::set', 'WP_Object_Cache::get' ), $GLOBALS['__doing_it_wrong'] );
same( 'integer keys work', true, wp_cache_set( 123, 'int-key' ) && 'int-key' === wp_cache_get( 123 ) );

/* --- delete */
wp_cache_set( 'd1', 'x' );
same( 'delete existing returns true', true, wp_cache_delete( 'd1' ) );
same( 'delete removes it from Redis', 0, $raw->cmd( 'EXISTS', rkey( 'd1' ) ) );
same( 'delete missing returns false', false, wp_cache_delete( 'd1' ) );
wp_cache_set( 'd2', 'x' );
$c = new_request();
same( 'delete of a key only in Redis returns true', true, wp_cache_delete( 'd2' ) );
same( 'get after delete misses', false, wp_cache_get( 'd2' ) );

/* --- _multiple */
wp_cache_set( 'm-exists', 'old', 'multi' );
same(
	'add_multiple per-key results',
	array( 'm-exists' => false, 'm-new' => true ),
	wp_cache_add_multiple( array( 'm-exists' => 'x', 'm-new' => 'y' ), 'multi' )
);
same(
	'set_multiple per-key results',
	array( 's1' => true, 's2' => true, 's3' => true ),
	wp_cache_set_multiple( array( 's1' => 1, 's2' => 'two', 's3' => array( 3 ) ), 'multi', 0 )
);
same( 'set_multiple wrote Redis (pipelined)', array( '1', serialize( 'two' ) ), array( $raw->cmd( 'GET', rkey( 's1', 'multi' ) ), $raw->cmd( 'GET', rkey( 's2', 'multi' ) ) ) );
$c = new_request();
wp_cache_get( 's1', 'multi' ); // One key in the request layer, the others come from MGET.
same(
	'get_multiple (memory + MGET, misses are false)',
	array( 's1' => 1, 's2' => 'two', 's3' => array( 3 ), 'none' => false, 'm-new' => 'y' ),
	wp_cache_get_multiple( array( 's1', 's2', 's3', 'none', 'm-new' ), 'multi' )
);
same( 'get_multiple counts hits and misses', array( 5, 1 ), array( $c->cache_hits, $c->cache_misses ) );
same(
	'delete_multiple per-key results',
	array( 's1' => true, 's2' => true, 'none' => false ),
	wp_cache_delete_multiple( array( 's1', 's2', 'none' ), 'multi' )
);
same( 'delete_multiple removed from Redis', 0, $raw->cmd( 'EXISTS', rkey( 's1', 'multi' ), rkey( 's2', 'multi' ) ) );
wp_cache_set( 'gm', 'memory', 'multi' );
$raw->cmd( 'SET', rkey( 'gm', 'multi' ), serialize( 'redis' ) );
same( 'get_multiple force=true reads Redis', array( 'gm' => 'redis' ), wp_cache_get_multiple( array( 'gm' ), 'multi', true ) );

/* --- force */
wp_cache_set( 'fk', 'mine' );
$raw->cmd( 'SET', rkey( 'fk' ), serialize( 'someone-else' ) );
same( 'get without force answers from the request layer', 'mine', wp_cache_get( 'fk' ) );
same( 'get with force=true reads Redis', 'someone-else', wp_cache_get( 'fk', '', true ) );
$raw->cmd( 'DEL', rkey( 'fk' ) );
$found = null;
same( 'force=true on a key deleted elsewhere misses', false, wp_cache_get( 'fk', '', true, $found ) );
same( '... found=false', false, $found );

/* --- incr / decr */
same( 'incr on a missing key returns false', false, wp_cache_incr( 'nope-counter' ) );
same( 'decr on a missing key returns false', false, wp_cache_decr( 'nope-counter' ) );
same( 'incr creates nothing in Redis', 0, $raw->cmd( 'EXISTS', rkey( 'nope-counter' ) ) );
wp_cache_set( 'n', 10 );
same( 'incr by 1', 11, wp_cache_incr( 'n' ) );
same( 'incr by 5', 16, wp_cache_incr( 'n', 5 ) );
same( 'decr by 6', 10, wp_cache_decr( 'n', 6 ) );
same( 'decr clamps at 0', 0, wp_cache_decr( 'n', 100 ) );
same( 'clamped 0 is in Redis', '0', $raw->cmd( 'GET', rkey( 'n' ) ) );
same( 'incr with a negative offset clamps at 0', 0, wp_cache_incr( 'n', -5 ) );
same( 'get after incr/decr is an int', 0, wp_cache_get( 'n' ) );
wp_cache_set( 'ns', '10' );
same( 'incr on a numeric string', 11, wp_cache_incr( 'ns' ) );
same( '... stored as an integer afterwards', '11', $raw->cmd( 'GET', rkey( 'ns' ) ) );
wp_cache_set( 'nn', 'abc' );
same( 'incr on a non-numeric value starts from 0', 3, wp_cache_incr( 'nn', 3 ) );
wp_cache_set( 'nttl', 5, '', 100 );
wp_cache_incr( 'nttl' );
$ttl = $raw->cmd( 'TTL', rkey( 'nttl' ) );
t( 'incr keeps the TTL', $ttl > 90 && $ttl <= 100, (string) $ttl );
wp_cache_set( 'shared', 1 );
$c2 = new WP_Object_Cache(); // A concurrent request.
$c2->add_global_groups( array( 'users' ) );
$c2->incr( 'shared', 10 );
same( 'incr is atomic across requests (INCRBY on the Redis value)', 12, wp_cache_incr( 'shared' ) );
unset( $c2 );
$c = new_request();
same( 'counter persists across requests', 12, wp_cache_get( 'shared' ) );

/* --- expiration */
wp_cache_set( 'ttl1', 'short', '', 1 );
$ttl = $raw->cmd( 'TTL', rkey( 'ttl1' ) );
t( 'SET with EX: TTL is 1 s', 1 === $ttl, (string) $ttl );
wp_cache_set( 'ttl0', 'forever', '', 0 );
same( 'expire 0: no TTL', -1, $raw->cmd( 'TTL', rkey( 'ttl0' ) ) );
wp_cache_set( 'ttlneg', 'forever', '', -10 );
same( 'negative expire is treated as 0', -1, $raw->cmd( 'TTL', rkey( 'ttlneg' ) ) );
same( 'negative expire: value kept', 'forever', wp_cache_get( 'ttlneg' ) );
wp_cache_add( 'ttladd', 'x', '', 1 );
same( 'add with expire sets a TTL', 1, $raw->cmd( 'TTL', rkey( 'ttladd' ) ) );
wp_cache_set_multiple( array( 'ttlm' => 'x' ), '', 1 );
same( 'set_multiple with expire sets a TTL', 1, $raw->cmd( 'TTL', rkey( 'ttlm' ) ) );
sleep( 2 );
$found = null;
same( 'expired in the request layer too', false, wp_cache_get( 'ttl1', '', false, $found ) );
same( '... found=false', false, $found );
$c = new_request();
same( 'expired for the next request', false, wp_cache_get( 'ttl1' ) );
same( 'expired key is gone from Redis', 0, $raw->cmd( 'EXISTS', rkey( 'ttl1' ), rkey( 'ttladd' ), rkey( 'ttlm' ) ) );
same( 'non-expiring key still there', 'forever', wp_cache_get( 'ttl0' ) );

/* --- blogs and global groups */
$c = new_request();
wp_cache_set( 'bk', 'blog1' );
wp_cache_set( 'gk', 'global', 'users' );
same( 'global group key uses "global"', serialize( 'global' ), $raw->cmd( 'GET', rkey( 'gk', 'users', 'global' ) ) );
wp_cache_switch_to_blog( 2 );
same( 'per-blog key not visible from blog 2', false, wp_cache_get( 'bk' ) );
same( 'global group shared by all blogs', 'global', wp_cache_get( 'gk', 'users' ) );
wp_cache_set( 'bk', 'blog2' );
same( 'blog 2 key is <prefix>:2:...', serialize( 'blog2' ), $raw->cmd( 'GET', rkey( 'bk', 'default', '2' ) ) );
wp_cache_switch_to_blog( 1 );
same( 'back on blog 1 the blog 1 value', 'blog1', wp_cache_get( 'bk' ) );
$c = new_request();
wp_cache_switch_to_blog( 2 );
same( 'blog 2 value from Redis in a new request', 'blog2', wp_cache_get( 'bk' ) );
wp_cache_switch_to_blog( 1 );
same( 'request layer keeps core\'s layout ($cache[group]["2:key"])', 'blog2', $c->cache['default']['2:bk'] );

/* --- non-persistent groups */
$c = new_request();
wp_cache_add_non_persistent_groups( array( 'np' ) );
$calls = $c->redis_calls;
wp_cache_set( 'k', 'v', 'counts' );
wp_cache_add( 'k2', 5, 'np' );
same( 'incr works in a non-persistent group', 6, wp_cache_incr( 'k2', 1, 'np' ) );
same( 'decr clamps in a non-persistent group', 0, wp_cache_decr( 'k2', 50, 'np' ) );
same( 'incr of a missing key in a non-persistent group is false', false, wp_cache_incr( 'k-missing', 1, 'np' ) );
wp_cache_set_multiple( array( 'a' => 1, 'b' => 2 ), 'np' );
wp_cache_replace( 'k', 'v2', 'counts' );
wp_cache_get( 'absent', 'np' );
wp_cache_get_multiple( array( 'a', 'b', 'x' ), 'np' );
wp_cache_delete( 'a', 'np' );
wp_cache_delete_multiple( array( 'b' ), 'np' );
wp_cache_flush_group( 'np' );
wp_cache_set( 'k3', 'v', 'np' );
same( 'non-persistent groups make no Redis round trip', $calls, $c->redis_calls );
same( 'no key of a non-persistent group in Redis', array(), array_merge( $raw->keys( '*:counts:*' ), $raw->keys( '*:np:*' ) ) );
same( 'non-persistent values are served in the request', array( 'v2', 'v' ), array( wp_cache_get( 'k', 'counts' ), wp_cache_get( 'k3', 'np' ) ) );
$c = new_request();
wp_cache_add_non_persistent_groups( array( 'np' ) );
same( 'non-persistent values are gone in the next request', false, wp_cache_get( 'k3', 'np' ) );

/* --- flush_group */
$c = new_request();
wp_cache_set( 'x', 1, 'fg' );
wp_cache_set( 'y', 2, 'fg' );
wp_cache_switch_to_blog( 2 );
wp_cache_set( 'x', 3, 'fg' );
wp_cache_switch_to_blog( 1 );
wp_cache_set( 'keep', 4, 'other' );
wp_cache_set( 'fg:x', 'key contains the group', 'other' );
wp_cache_set( 'x', 5, 'fgbis' );
wp_cache_set( 'x', 6, 'we*ird[g]' );
wp_cache_set( 'x', 7, 'a:b' );
wp_cache_set( 'x', 8, 'a' );
same( 'flush_group returns true', true, wp_cache_flush_group( 'fg' ) );
same( 'flush_group removed the group from Redis (all blogs)', array(), preg_grep( '/^' . preg_quote( $c->prefix, '/' ) . ':[^:]+:fg:/', $raw->keys( '*' ) ) );
same( 'flush_group removed the group from the request layer', false, wp_cache_get( 'x', 'fg' ) );
same(
	'flush_group kept other groups (incl. a key containing ":fg:" and group "fgbis")',
	array( 4, 'key contains the group', 5 ),
	array( wp_cache_get( 'keep', 'other', true ), wp_cache_get( 'fg:x', 'other', true ), wp_cache_get( 'x', 'fgbis', true ) )
);
wp_cache_flush_group( 'we*ird[g]' );
same( 'flush_group with glob characters in the name', array( false, 5 ), array( wp_cache_get( 'x', 'we*ird[g]', true ), wp_cache_get( 'x', 'fgbis', true ) ) );
wp_cache_flush_group( 'a' );
same( 'flush_group("a") keeps group "a:b"', array( false, 7 ), array( wp_cache_get( 'x', 'a', true ), wp_cache_get( 'x', 'a:b', true ) ) );
same( 'group ":" is encoded in the key', 1, $raw->cmd( 'EXISTS', rkey( 'x', 'a%3Ab' ) ) );

/* --- flush_runtime */
$c = new_request();
wp_cache_set( 'rt', 'still-in-redis' );
same( 'flush_runtime returns true', true, wp_cache_flush_runtime() );
same( 'flush_runtime empties the request layer', array(), $c->cache );
$hits = $c->redis_hits;
same( 'flush_runtime keeps Redis data', 'still-in-redis', wp_cache_get( 'rt' ) );
same( '... served by Redis', $hits + 1, $c->redis_hits );

/* --- flush (this site only) */
$raw->cmd( 'SET', 'some-other-site:1:default:k', 'x' );
wp_cache_set( 'f1', 'x' );
same( 'flush returns true', true, wp_cache_flush() );
same( 'flush removed this prefix', array(), $raw->keys( $c->prefix . ':*' ) );
same( 'flush kept other prefixes', 'x', $raw->cmd( 'GET', 'some-other-site:1:default:k' ) );
same( 'flush emptied the request layer', false, wp_cache_get( 'f1' ) );

/* --- two sites, one Redis */
$c = new_request();
wp_cache_set( 'same-key', 'site-1' );
$table_prefix = 'wp2_';
$c2           = new WP_Object_Cache();
t( 'other $table_prefix -> other prefix', $c2->prefix !== $c->prefix, $c2->prefix );
same( 'no collision between sites', false, $c2->get( 'same-key' ) );
$c2->set( 'same-key', 'site-2' );
same( 'site 1 keeps its value', 'site-1', wp_cache_get( 'same-key', '', true ) );
$table_prefix = 'wp_';
unset( $c2 );
child( 'salt', array( 'REDIS_TEST_SALT' => 'site-b:' ) );

/* --- persistence across requests and stats */
$c = new_request();
wp_cache_set( 'persist', array( 'deep' => new ArrayObject( array( 1, 2 ) ) ) );
$c = new_request();
$v = wp_cache_get( 'persist' );
t( 'a new request reads what the previous one wrote', is_array( $v ) && $v['deep'] instanceof ArrayObject && 2 === count( $v['deep'] ) );
$c = new_request();
wp_cache_get( 'persist' );
wp_cache_get( 'persist' );
wp_cache_get( 'missing-1' );
same( 'cache_hits/cache_misses', array( 2, 1 ), array( $c->cache_hits, $c->cache_misses ) );
same( 'redis_hits/redis_misses', array( 1, 1 ), array( $c->redis_hits, $c->redis_misses ) );
$s = $c->redis_status();
same( 'redis_status: connected', 'connected', $s['status'] );
t( 'redis_status: server keyspace hits/misses are ints', is_int( $s['keyspace_hits'] ) && is_int( $s['keyspace_misses'] ) && $s['keyspace_hits'] > 0, json_encode( $s ) );
t( 'redis_status: used_memory_human', is_string( $s['used_memory_human'] ) && preg_match( '/^[0-9.]+[BKMG]$/', $s['used_memory_human'] ), (string) $s['used_memory_human'] );
same( 'redis_status: request hit ratio', 66.7, $s['hit_ratio'] );
ob_start();
$c->stats();
$html = ob_get_clean();
t( 'stats() prints hits/misses like core', false !== strpos( $html, '<strong>Cache Hits:</strong> 2' ) && false !== strpos( $html, 'connected' ) );

/* --- reset (deprecated), close */
$c = new_request();
wp_cache_set( 'local', 1 );
wp_cache_set( 'glob', 1, 'users' );
$GLOBALS['__deprecated'] = array();
wp_cache_reset();
same( 'wp_cache_reset is flagged deprecated', array( 'wp_cache_reset', 'reset' ), $GLOBALS['__deprecated'] );
same( 'reset drops non-global groups, keeps global ones', array( false, true ), array( isset( $c->cache['default'] ), isset( $c->cache['users'] ) ) );
same( 'wp_cache_close returns true', true, wp_cache_close() );
log_reset();
same( 'after close the cache keeps working from memory', true, wp_cache_set( 'after-close', 1 ) && 1 === wp_cache_get( 'after-close' ) );
same( 'close is not an outage (nothing logged, no marker)', array( array(), false ), array( log_lines(), file_exists( $MARKER ) ) );

/* --- password */
$c = new_request();
same( 'password read from the file (trailing newline stripped)', 'connected', $c->redis_status()['status'] );
file_put_contents( $PW_FILE, 'definitely-wrong-' . $PASSWORD . "\n" );
log_reset();
$c     = new_request();
$lines = log_lines();
same( 'wrong password: disconnected', 'disconnected', $c->redis_status()['status'] );
same( 'wrong password: exactly one log line', 1, count( $lines ) );
t(
	'wrong password: the line is the documented one',
	isset( $lines[0] ) && preg_match( '/object-cache: redis unavailable \(.*WRONGPASS.*\); using memory for this request$/', $lines[0] ),
	implode( ' | ', $lines )
);
t( 'wrong password: no password in the log', false === strpos( implode( "\n", $lines ), $PASSWORD ) );
same( 'wrong password: memory-only works', array( true, 'v', false ), array( wp_cache_add( 'wp-k', 'v' ), wp_cache_get( 'wp-k' ), wp_cache_add( 'wp-k', 'v' ) ) );
same( 'wrong password: still one log line after more calls', 1, count( log_lines() ) );
$s = $c->redis_status();
t( 'redis_status reason carries no password', false === strpos( json_encode( $s ), $PASSWORD ), $s['reason'] );
file_put_contents( $PW_FILE, $PASSWORD . "\n" );
@unlink( $MARKER ); // The failed handshake marked an outage; not what is tested here.
child( 'nopass', array( 'REDIS_TEST_PASSWORD_FILE' => '' ) );
@unlink( $MARKER );
rename( $PW_FILE, "$PW_FILE.away" );
log_reset();
$c     = new_request();
$lines = log_lines();
t( 'missing password file: disconnected, logged once', 'disconnected' === $c->redis_status()['status'] && 1 === count( $lines ) && false !== strpos( $lines[0], 'password file not readable' ), implode( ' | ', $lines ) );
rename( "$PW_FILE.away", $PW_FILE );
@unlink( $MARKER );

/* --- timeouts: nothing listening / a server that never answers */
$srv  = stream_socket_server( 'tcp://127.0.0.1:0' );
$name = stream_socket_get_name( $srv, false );
child( 'hang', array( 'REDIS_TEST_PORT' => substr( $name, strrpos( $name, ':' ) + 1 ), 'REDIS_TEST_MARKER' => $TMP . '/marker-hang' ) );
fclose( $srv );
$free = stream_socket_server( 'tcp://127.0.0.1:0' );
$name = stream_socket_get_name( $free, false );
fclose( $free );
child( 'unreachable', array( 'REDIS_TEST_PORT' => substr( $name, strrpos( $name, ':' ) + 1 ), 'REDIS_TEST_MARKER' => $TMP . '/marker-unreachable' ) );

/* --- outage */
$raw->cmd( 'FLUSHDB' );
@unlink( $MARKER );
log_reset();
$c = new_request();
$raw->cmd( 'SET', rkey( 'stale' ), serialize( 'written-before-the-outage' ) );
wp_cache_set( 'before', 'x' );
redis_stop();
t( 'test redis stopped', ! redis_up() );
$found = null;
same( 'mid-request outage: a write still succeeds (memory)', true, wp_cache_set( 'during', 'in-memory' ) );
same( 'mid-request outage: reads come from memory', array( 'in-memory', 'x' ), array( wp_cache_get( 'during' ), wp_cache_get( 'before' ) ) );
same( 'mid-request outage: incr in memory', 2, ( wp_cache_add( 'cnt', 1 ) ? wp_cache_incr( 'cnt' ) : null ) );
same( 'mid-request outage: status disconnected', 'disconnected', $c->redis_status()['status'] );
$lines = log_lines();
same( 'mid-request outage: logged exactly once', 1, count( $lines ) );
t( 'mid-request outage: documented message', isset( $lines[0] ) && false !== strpos( $lines[0], 'object-cache: redis unavailable (' ) && '; using memory for this request' === substr( $lines[0], -31 ), implode( ' | ', $lines ) );
t( 'outage marker written (with the time)', is_file( $MARKER ) && abs( (int) file_get_contents( $MARKER ) - time() ) < 5 );

log_reset();
$t0 = microtime( true );
$c  = new_request();
$dt = microtime( true ) - $t0;
same( 'next request during the outage: disconnected', 'disconnected', $c->redis_status()['status'] );
t( 'next request during the outage: init does not hang (< 0.5 s)', $dt < 0.5, sprintf( '%.3f s', $dt ) );
same( 'next request during the outage: works memory-only', array( true, 'mem', false ), array( wp_cache_set( 'outage-write', 'mem' ), wp_cache_get( 'outage-write' ), wp_cache_get( 'stale' ) ) );
wp_cache_delete( 'stale' ); // Lost: Redis is down. This is why the cache must be flushed when it comes back.
same( 'next request during the outage: one log line', 1, count( log_lines() ) );

redis_start();
t( 'test redis restarted', redis_up() );
$raw = new Raw();
same( 'stale key survived the restart (dump.rdb)', serialize( 'written-before-the-outage' ), $raw->cmd( 'GET', rkey( 'stale' ) ) );
log_reset();
$c = new_request();
same( 'after the outage: connected', 'connected', $c->redis_status()['status'] );
same( 'after the outage: FLUSHDB ran, the stale key is gone', 0, $raw->cmd( 'EXISTS', rkey( 'stale' ) ) );
same( 'after the outage: not served either', false, wp_cache_get( 'stale' ) );
same( 'after the outage: marker removed', false, file_exists( $MARKER ) );
same( 'after the outage: "redis back, flushed" logged once', array( 'redis back, flushed' ), array_map( function ( $l ) { return substr( $l, strpos( $l, 'object-cache: ' ) + 14 ); }, log_lines() ) );
wp_cache_set( 'fresh', 'y' );
log_reset();
$c = new_request();
same( 'the following request does not flush again', array( 'y', array() ), array( wp_cache_get( 'fresh' ), log_lines() ) );

/* --- signatures against WordPress core */
$core = env( 'WP_CORE_DIR', '' );
if ( '' !== $core && is_file( "$core/wp-includes/cache.php" ) ) {
	$src = file_get_contents( "$core/wp-includes/cache.php" ) . file_get_contents( "$core/wp-includes/cache-compat.php" );
	preg_match_all( '/^\s*function\s+(wp_cache_\w+)\s*\(([^)]*)\)/m', $src, $m, PREG_SET_ORDER );
	$core_sigs = array();
	foreach ( $m as $f ) {
		$core_sigs[ $f[1] ] = preg_replace( '/\s+/', ' ', trim( $f[2] ) );
	}
	foreach ( $core_sigs as $fn => $params ) {
		if ( ! function_exists( $fn ) ) {
			t( "core function $fn is implemented", false );
			continue;
		}
		$mine = array();
		foreach ( ( new ReflectionFunction( $fn ) )->getParameters() as $p ) {
			$s = ( $p->hasType() ? $p->getType() . ' ' : '' ) . ( $p->isPassedByReference() ? '&' : '' ) . '$' . $p->getName();
			if ( $p->isDefaultValueAvailable() ) {
				$d  = $p->getDefaultValue();
				$s .= ' = ' . ( null === $d ? 'null' : ( is_bool( $d ) ? ( $d ? 'true' : 'false' ) : var_export( $d, true ) ) );
			}
			$mine[] = $s;
		}
		same( "signature of $fn matches core", $params, implode( ', ', $mine ) );
	}
	child( 'wp-load', array() );
	child( 'ui-core', array() );
	child( 'ui-core-early', array() );
} else {
	skip( 'signatures against WordPress core', 'set WP_CORE_DIR to a WordPress 6.1 tree' );
}
child( 'ui', array() );

@unlink( $MARKER );
@unlink( $PW_FILE );
print_summary();
exit( $FAILED > 0 ? 1 : 0 );
