<?php
/**
 * Redis object cache drop-in for WordPress 6.1 (copy to wp-content/object-cache.php).
 *
 * Self-contained: speaks RESP2 to Redis over stream_socket_client(), so it needs
 * neither a plugin nor the phpredis extension (it deliberately does not use the
 * `Redis` class even when present: one code path, the one that is tested).
 *
 * Configuration (constants, usually in wp-config.php):
 *   WP_REDIS_HOST           host name/IP, or a unix socket path ("/run/redis.sock" or
 *                           "unix:///run/redis.sock")                default 'redis'
 *   WP_REDIS_PORT           TCP port                                default 6379
 *   WP_REDIS_PASSWORD_FILE  file holding the password (read at init, trailing newline
 *                           stripped; never printed or logged)     default none (no AUTH)
 *   WP_REDIS_DATABASE       logical database for SELECT             default 0
 *   WP_REDIS_TIMEOUT        connect timeout in seconds              default 0.2
 *   WP_REDIS_READ_TIMEOUT   per-reply read timeout in seconds       default 0.5
 *   WP_REDIS_OUTAGE_MARKER  path of the outage marker file
 *                           default sys_get_temp_dir() . '/inception-object-cache-down'
 *   WP_CACHE_KEY_SALT       key prefix; default derived from DB_HOST, DB_NAME and
 *                           $table_prefix so two sites on one Redis never collide.
 *
 * Key layout in Redis:  <prefix>:<blog id | "global">:<group>:<key>
 * (":" and "%" inside a group name are percent-encoded so the group segment is exact.)
 *
 * Values are serialize()d, except integers, which are stored as plain decimal strings
 * so INCRBY/DECRBY work on them. A serialized payload never looks like a bare integer
 * (it always starts with a type letter), so the two encodings cannot be confused, and
 * the string "5" stays a string while the int 5 stays an int.
 *
 * Design choices:
 *
 * - Group flush uses SCAN + DEL, not per-group generation counters. A generation counter
 *   only hides old keys: they stay in memory until their TTL (WordPress mostly writes
 *   without TTL, and Debian's Redis defaults to maxmemory-policy noeviction, so they would
 *   never go away), every request needs an extra round trip to read the counters, and if
 *   a counter key is ever lost (eviction under an allkeys-* policy, a manual DEL) the
 *   generation restarts and long-"flushed" data becomes visible again, i.e. stale data is
 *   served. SCAN + DEL really removes the keys, keeps the documented key layout, and its
 *   O(keyspace) cost is only paid on the rare flush_group() call. Scanned keys are
 *   re-checked in PHP, so a key whose name merely contains ":group:" is not removed.
 * - wp_cache_flush() removes this site's prefix only (SCAN + DEL "<prefix>:*"), so a flush
 *   on one site does not empty another site's cache sharing the same Redis database.
 * - Redis down never takes the site down: connect timeout 0.2 s, read timeout 0.5 s; on a
 *   connect or I/O failure one line is logged with error_log(), the rest of the request
 *   runs memory-only, and an outage marker file (holding the time) is written. While
 *   Redis was unreachable, writes and deletes of this and other PHP workers only reached
 *   their own memory, so what Redis still holds may be stale (e.g. a post updated during
 *   the outage whose old cached copy is still in Redis). Therefore the next request that
 *   connects while the marker exists runs FLUSHDB before using Redis, removes the marker
 *   and logs "object-cache: redis back, flushed". FLUSHDB (not a prefix flush) because
 *   the marker does not say which site wrote during the outage; a cold cache is cheap,
 *   a stale one is a bug.
 * - Non-persistent groups live in the request layer only and never reach Redis.
 */

defined( 'WPINC' ) || defined( 'WP_REDIS_OBJECT_CACHE_TESTING' ) || exit;

if ( ! class_exists( 'Inception_Redis_Exception' ) ) :
	/** I/O or protocol failure: the connection is unusable. */
	class Inception_Redis_Exception extends RuntimeException {}
endif;

if ( ! class_exists( 'Inception_Redis_Client' ) ) :
	/**
	 * Minimal RESP2 client over a PHP stream. Throws Inception_Redis_Exception when the
	 * connection is unusable; Redis error replies are returned as Inception_Redis_Error.
	 */
	class Inception_Redis_Client {
		/** @var resource|null */
		private $sock;
		private $read_timeout;

		/**
		 * @param string      $host            host, IP, or unix socket path.
		 * @param int         $port            TCP port (ignored for unix sockets).
		 * @param float       $connect_timeout seconds.
		 * @param float       $read_timeout    seconds.
		 */
		public function __construct( $host, $port, $connect_timeout, $read_timeout ) {
			$this->read_timeout = max( 0.01, (float) $read_timeout );
			$host               = (string) $host;
			if ( 0 === strpos( $host, 'unix://' ) ) {
				$address = $host;
			} elseif ( '' !== $host && '/' === $host[0] ) {
				$address = 'unix://' . $host;
			} else {
				$address = 'tcp://' . ( false !== strpos( $host, ':' ) && '[' !== $host[0] ? '[' . $host . ']' : $host ) . ':' . (int) $port;
			}
			$errno  = 0;
			$errstr = '';
			$sock   = @stream_socket_client( $address, $errno, $errstr, max( 0.01, (float) $connect_timeout ), STREAM_CLIENT_CONNECT );
			if ( ! $sock ) {
				$errstr = trim( (string) $errstr );
				throw new Inception_Redis_Exception( 'connect to ' . $address . ' failed: ' . ( '' !== $errstr ? $errstr : 'error ' . $errno ) );
			}
			$sec = (int) floor( $this->read_timeout );
			stream_set_timeout( $sock, $sec, (int) round( ( $this->read_timeout - $sec ) * 1000000 ) );
			$this->sock = $sock;
		}

		public function is_open() {
			return is_resource( $this->sock );
		}

		public function close() {
			if ( is_resource( $this->sock ) ) {
				@fclose( $this->sock );
			}
			$this->sock = null;
		}

		/** Encodes one command as a RESP array of bulk strings. */
		public static function encode( array $args ) {
			$out = '*' . count( $args ) . "\r\n";
			foreach ( $args as $arg ) {
				$arg  = (string) $arg;
				$out .= '$' . strlen( $arg ) . "\r\n" . $arg . "\r\n";
			}
			return $out;
		}

		/** Sends one command and returns its reply. */
		public function command( array $args ) {
			$replies = $this->pipeline( array( $args ) );
			return $replies[0];
		}

		/** Sends several commands in one write and returns their replies, in order. */
		public function pipeline( array $commands ) {
			if ( ! is_resource( $this->sock ) ) {
				throw new Inception_Redis_Exception( 'not connected' );
			}
			if ( ! $commands ) {
				return array();
			}
			$buf = '';
			foreach ( $commands as $args ) {
				$buf .= self::encode( $args );
			}
			$this->write( $buf );
			$replies = array();
			foreach ( $commands as $unused ) {
				$replies[] = $this->read_reply();
			}
			return $replies;
		}

		private function write( $buf ) {
			$len = strlen( $buf );
			$off = 0;
			while ( $off < $len ) {
				$n = @fwrite( $this->sock, 0 === $off ? $buf : substr( $buf, $off ) );
				if ( false === $n || 0 === $n ) {
					$this->fail( 'write failed' );
				}
				$off += $n;
			}
		}

		private function fail( $what ) {
			$meta = is_resource( $this->sock ) ? stream_get_meta_data( $this->sock ) : array();
			if ( ! empty( $meta['timed_out'] ) ) {
				$what .= ' (read timeout)';
			} elseif ( is_resource( $this->sock ) && feof( $this->sock ) ) {
				$what .= ' (connection closed)';
			}
			$this->close();
			throw new Inception_Redis_Exception( $what );
		}

		private function read_line() {
			$line = @fgets( $this->sock );
			if ( false === $line || "\n" !== substr( $line, -1 ) ) {
				$this->fail( 'read failed' );
			}
			return substr( $line, 0, -2 );
		}

		private function read_bytes( $n ) {
			$data = '';
			while ( strlen( $data ) < $n ) {
				$chunk = @fread( $this->sock, $n - strlen( $data ) );
				if ( false === $chunk || '' === $chunk ) {
					$this->fail( 'read failed' );
				}
				$data .= $chunk;
			}
			return $data;
		}

		private function read_reply() {
			$line = $this->read_line();
			if ( '' === $line ) {
				$this->fail( 'protocol error' );
			}
			$type = $line[0];
			$rest = (string) substr( $line, 1 );
			switch ( $type ) {
				case '+':
					return $rest;
				case '-':
					return new Inception_Redis_Error( $rest );
				case ':':
					return (int) $rest;
				case '$':
					$len = (int) $rest;
					if ( $len < 0 ) {
						return null;
					}
					$data = $this->read_bytes( $len + 2 );
					return substr( $data, 0, $len );
				case '*':
					$count = (int) $rest;
					if ( $count < 0 ) {
						return null;
					}
					$items = array();
					for ( $i = 0; $i < $count; $i++ ) {
						$items[] = $this->read_reply();
					}
					return $items;
				default:
					$this->fail( 'protocol error' );
			}
			return null;
		}
	}

	/** A Redis "-ERR ..." reply. */
	class Inception_Redis_Error {
		public $message;
		public function __construct( $message ) {
			$this->message = (string) $message;
		}
		/** True for errors that make the connection useless (auth lost, server loading). */
		public function is_fatal() {
			return (bool) preg_match( '/^(NOAUTH|WRONGPASS|LOADING|MASTERDOWN|NOPERM)\b/', $this->message );
		}
	}
endif;

if ( ! class_exists( 'WP_Object_Cache' ) ) :
	/**
	 * Object cache: an in-request array in front of Redis.
	 *
	 * The request layer keeps core's layout, $this->cache[ $group ][ $id ], where $id is the
	 * key, prefixed with "<blog id>:" for non-global groups on multisite (as core does).
	 */
	#[AllowDynamicProperties]
	class WP_Object_Cache {
		/** @var array Request layer: $cache[ $group ][ $id ] = value. */
		public $cache = array();
		/** @var array Request-layer expiry times: $expires[ $group ][ $id ] = unix time. */
		public $expires = array();

		/** Lookups answered by the request layer or Redis / answered by neither. */
		public $cache_hits   = 0;
		public $cache_misses = 0;
		/** Breakdown: answered by Redis / asked to Redis and not found. */
		public $redis_hits   = 0;
		public $redis_misses = 0;
		/** Round trips made to Redis in this request. */
		public $redis_calls = 0;

		public $global_groups         = array();
		public $non_persistent_groups = array();

		/** @var string Key prefix (no trailing colon). */
		public $prefix = '';
		public $blog_prefix = '';
		public $multisite = false;
		public $blog_id = 1;

		/** @var Inception_Redis_Client|null */
		private $redis;
		/** @var string Why Redis is not used (empty when connected). */
		private $redis_reason = 'not connected yet';
		private $logged_outage = false;
		private $config = array();

		public function __construct() {
			$this->multisite   = function_exists( 'is_multisite' ) ? (bool) is_multisite() : false;
			$this->blog_id     = function_exists( 'get_current_blog_id' ) ? (int) get_current_blog_id() : 1;
			$this->blog_prefix = $this->multisite ? $this->blog_id . ':' : '';
			$this->prefix      = self::derive_prefix();
			$this->config      = array(
				'host'            => defined( 'WP_REDIS_HOST' ) ? (string) WP_REDIS_HOST : 'redis',
				'port'            => defined( 'WP_REDIS_PORT' ) ? (int) WP_REDIS_PORT : 6379,
				'database'        => defined( 'WP_REDIS_DATABASE' ) ? (int) WP_REDIS_DATABASE : 0,
				'connect_timeout' => defined( 'WP_REDIS_TIMEOUT' ) ? (float) WP_REDIS_TIMEOUT : 0.2,
				'read_timeout'    => defined( 'WP_REDIS_READ_TIMEOUT' ) ? (float) WP_REDIS_READ_TIMEOUT : 0.5,
				'password_file'   => defined( 'WP_REDIS_PASSWORD_FILE' ) ? (string) WP_REDIS_PASSWORD_FILE : '',
				'marker'          => defined( 'WP_REDIS_OUTAGE_MARKER' ) ? (string) WP_REDIS_OUTAGE_MARKER
					: rtrim( sys_get_temp_dir(), '/\\' ) . '/inception-object-cache-down',
			);
			$this->connect();
		}

		/** WP_CACHE_KEY_SALT, else a readable, collision-free name from the database settings. */
		public static function derive_prefix() {
			if ( defined( 'WP_CACHE_KEY_SALT' ) && '' !== trim( (string) WP_CACHE_KEY_SALT, ": \t" ) ) {
				return rtrim( trim( (string) WP_CACHE_KEY_SALT ), ':' );
			}
			$db     = defined( 'DB_NAME' ) ? (string) DB_NAME : '';
			$host   = defined( 'DB_HOST' ) ? (string) DB_HOST : '';
			$tp     = isset( $GLOBALS['table_prefix'] ) ? (string) $GLOBALS['table_prefix'] : '';
			$pretty = preg_replace( '/[^A-Za-z0-9_.-]+/', '_', $db . '.' . $tp );
			return 'wp.' . $pretty . '.' . substr( md5( $host . "\0" . $db . "\0" . $tp ), 0, 8 );
		}

		/* ------------------------------------------------------------------ connection */

		private function read_password( &$error ) {
			$file = $this->config['password_file'];
			if ( '' === $file ) {
				return null;
			}
			$pw = is_readable( $file ) ? @file_get_contents( $file ) : false;
			if ( false === $pw ) {
				$error = 'password file not readable';
				return false;
			}
			return rtrim( $pw, "\r\n" );
		}

		/** Connects, authenticates, selects the database, and handles the outage marker. */
		private function connect() {
			$this->redis = null;
			$password    = null;
			try {
				$error    = '';
				$password = $this->read_password( $error );
				if ( false === $password ) {
					throw new Inception_Redis_Exception( $error );
				}
				$client = new Inception_Redis_Client(
					$this->config['host'],
					$this->config['port'],
					$this->config['connect_timeout'],
					$this->config['read_timeout']
				);
				$this->redis_calls++;
				$cmds = array();
				if ( null !== $password && '' !== $password ) {
					$cmds[] = array( 'AUTH', $password );
				}
				if ( 0 !== $this->config['database'] ) {
					$cmds[] = array( 'SELECT', $this->config['database'] );
				}
				$cmds[]  = array( 'PING' );
				$replies = $client->pipeline( $cmds );
				foreach ( $replies as $reply ) {
					if ( $reply instanceof Inception_Redis_Error ) {
						$client->close();
						// First word only (e.g. WRONGPASS, NOAUTH): never echo anything that could carry input.
						throw new Inception_Redis_Exception( 'handshake refused: ' . strtok( $reply->message, ' ' ) );
					}
				}
				$password = null;
				if ( $this->marker_exists() ) {
					$this->redis_calls++;
					$reply = $client->command( array( 'FLUSHDB' ) );
					if ( $reply instanceof Inception_Redis_Error ) {
						$client->close();
						throw new Inception_Redis_Exception( 'FLUSHDB after outage refused: ' . strtok( $reply->message, ' ' ) );
					}
					@unlink( $this->config['marker'] );
					error_log( 'object-cache: redis back, flushed' );
				}
				$this->redis        = $client;
				$this->redis_reason = '';
				return true;
			} catch ( Inception_Redis_Exception $e ) {
				$this->went_down( $e->getMessage(), $password );
				return false;
			}
		}

		private function marker_exists() {
			clearstatcache( true, $this->config['marker'] );
			return file_exists( $this->config['marker'] );
		}

		/** Switches to memory-only for the rest of the request; logs once; writes the marker. */
		private function went_down( $reason, $password = null ) {
			if ( $this->redis ) {
				$this->redis->close();
			}
			$this->redis = null;
			$reason      = (string) $reason;
			if ( is_string( $password ) && '' !== $password ) {
				$reason = str_replace( $password, '***', $reason );
			}
			$this->redis_reason = $reason;
			@file_put_contents( $this->config['marker'], time() . "\n", LOCK_EX );
			if ( ! $this->logged_outage ) {
				$this->logged_outage = true;
				error_log( 'object-cache: redis unavailable (' . $reason . '); using memory for this request' );
			}
		}

		/** True while Redis is used for this request. */
		public function is_connected() {
			return null !== $this->redis && $this->redis->is_open();
		}

		/**
		 * Runs commands in one round trip. Returns the replies, or null when Redis is not
		 * (or no longer) usable; then the request continues memory-only.
		 */
		private function call( array $commands ) {
			if ( ! $this->is_connected() ) {
				return null;
			}
			try {
				$this->redis_calls++;
				$replies = $this->redis->pipeline( $commands );
			} catch ( Inception_Redis_Exception $e ) {
				$this->went_down( $e->getMessage() );
				return null;
			}
			foreach ( $replies as $reply ) {
				if ( $reply instanceof Inception_Redis_Error && $reply->is_fatal() ) {
					$this->went_down( 'server error: ' . strtok( $reply->message, ' ' ) );
					return null;
				}
			}
			return $replies;
		}

		private function call1( array $args ) {
			$r = $this->call( array( $args ) );
			return null === $r ? null : $r[0];
		}

		public function close() {
			if ( $this->redis ) {
				$this->redis->close();
			}
			$this->redis = null;
			if ( '' === $this->redis_reason ) {
				$this->redis_reason = 'closed';
			}
			return true;
		}

		/* ------------------------------------------------------------------ keys & values */

		protected function is_valid_key( $key ) {
			if ( is_int( $key ) ) {
				return true;
			}
			if ( is_string( $key ) && trim( $key ) !== '' ) {
				return true;
			}
			if ( function_exists( '_doing_it_wrong' ) && function_exists( '__' ) ) {
				$trace = debug_backtrace( DEBUG_BACKTRACE_IGNORE_ARGS, 2 );
				_doing_it_wrong(
					sprintf( '%s::%s', __CLASS__, isset( $trace[1]['function'] ) ? $trace[1]['function'] : '' ),
					is_string( $key )
						? __( 'Cache key must not be an empty string.' )
						/* translators: %s: The type of the given cache key. */
						: sprintf( __( 'Cache key must be integer or non-empty string, %s given.' ), gettype( $key ) ),
					'6.1.0'
				);
			}
			return false;
		}

		private static function norm_group( $group ) {
			return ( '' === $group || null === $group || false === $group || ( is_string( $group ) && '' === trim( $group ) ) ) ? 'default' : (string) $group;
		}

		/** Request-layer id, as core builds it. */
		private function id( $key, $group ) {
			if ( $this->multisite && ! isset( $this->global_groups[ $group ] ) ) {
				return $this->blog_prefix . $key;
			}
			return (string) $key;
		}

		private static function encode_group( $group ) {
			return strtr( (string) $group, array( '%' => '%25', ':' => '%3A' ) );
		}

		/** <prefix>:<blog id | global>:<group>:<key> */
		public function redis_key( $key, $group = 'default' ) {
			$group = self::norm_group( $group );
			$scope = isset( $this->global_groups[ $group ] ) ? 'global' : (string) $this->blog_id;
			return $this->prefix . ':' . $scope . ':' . self::encode_group( $group ) . ':' . $key;
		}

		private function persistent( $group ) {
			return ! isset( $this->non_persistent_groups[ $group ] );
		}

		private static function encode_value( $value ) {
			return is_int( $value ) ? (string) $value : serialize( $value );
		}

		/** @return array [ bool decoded, mixed value ] */
		private static function decode_value( $raw ) {
			if ( ! is_string( $raw ) ) {
				return array( false, null );
			}
			if ( preg_match( '/^-?[0-9]+$/', $raw ) ) {
				return array( true, (int) $raw );
			}
			if ( 'b:0;' === $raw ) {
				return array( true, false );
			}
			$value = @unserialize( $raw );
			if ( false === $value ) {
				return array( false, null );
			}
			return array( true, $value );
		}

		private static function ttl( $expire ) {
			$expire = (int) $expire;
			return $expire > 0 ? $expire : 0;
		}

		private function mem_exists( $id, $group ) {
			if ( ! isset( $this->cache[ $group ] ) || ! ( isset( $this->cache[ $group ][ $id ] ) || array_key_exists( $id, $this->cache[ $group ] ) ) ) {
				return false;
			}
			if ( isset( $this->expires[ $group ][ $id ] ) && $this->expires[ $group ][ $id ] <= time() ) {
				unset( $this->cache[ $group ][ $id ], $this->expires[ $group ][ $id ] );
				return false;
			}
			return true;
		}

		private function mem_set( $id, $group, $data, $ttl = 0 ) {
			$this->cache[ $group ][ $id ] = is_object( $data ) ? clone $data : $data;
			if ( $ttl > 0 ) {
				$this->expires[ $group ][ $id ] = time() + $ttl;
			} else {
				unset( $this->expires[ $group ][ $id ] );
			}
		}

		private function mem_get( $id, $group ) {
			$value = $this->cache[ $group ][ $id ];
			return is_object( $value ) ? clone $value : $value;
		}

		private function mem_delete( $id, $group ) {
			unset( $this->cache[ $group ][ $id ], $this->expires[ $group ][ $id ] );
		}

		private static function set_command( $rkey, $data, $ttl, $mode = '' ) {
			$cmd = array( 'SET', $rkey, self::encode_value( $data ) );
			if ( $ttl > 0 ) {
				$cmd[] = 'EX';
				$cmd[] = $ttl;
			}
			if ( '' !== $mode ) {
				$cmd[] = $mode;
			}
			return $cmd;
		}

		/** After Redis refused a write (e.g. OOM), make sure it does not keep serving the old value. */
		private function drop_after_refused_write( array $rkeys ) {
			if ( $rkeys ) {
				$this->call( array( array_merge( array( 'DEL' ), $rkeys ) ) );
			}
		}

		/* ------------------------------------------------------------------ API */

		public function add( $key, $data, $group = 'default', $expire = 0 ) {
			if ( function_exists( 'wp_suspend_cache_addition' ) && wp_suspend_cache_addition() ) {
				return false;
			}
			if ( ! $this->is_valid_key( $key ) ) {
				return false;
			}
			$group = self::norm_group( $group );
			$id    = $this->id( $key, $group );
			if ( $this->mem_exists( $id, $group ) ) {
				return false;
			}
			$ttl = self::ttl( $expire );
			if ( $this->persistent( $group ) ) {
				$rkey  = $this->redis_key( $key, $group );
				$reply = $this->call1( self::set_command( $rkey, $data, $ttl, 'NX' ) );
				if ( null === $reply && ! $this->is_connected() ) {
					// Redis not used: fall through to memory-only semantics.
				} elseif ( 'OK' !== $reply ) {
					if ( $reply instanceof Inception_Redis_Error ) {
						$this->drop_after_refused_write( array( $rkey ) );
					}
					return false; // Already in Redis (nil reply), or refused.
				}
			}
			$this->mem_set( $id, $group, $data, $ttl );
			return true;
		}

		public function add_multiple( array $data, $group = '', $expire = 0 ) {
			$values = array();
			foreach ( $data as $key => $value ) {
				$values[ $key ] = $this->add( $key, $value, $group, $expire );
			}
			return $values;
		}

		public function replace( $key, $data, $group = 'default', $expire = 0 ) {
			if ( ! $this->is_valid_key( $key ) ) {
				return false;
			}
			$group = self::norm_group( $group );
			$id    = $this->id( $key, $group );
			if ( $this->mem_exists( $id, $group ) ) {
				return $this->set( $key, $data, $group, $expire );
			}
			if ( ! $this->persistent( $group ) || ! $this->is_connected() ) {
				return false;
			}
			$ttl   = self::ttl( $expire );
			$rkey  = $this->redis_key( $key, $group );
			$reply = $this->call1( self::set_command( $rkey, $data, $ttl, 'XX' ) );
			if ( 'OK' !== $reply ) {
				if ( $reply instanceof Inception_Redis_Error ) {
					$this->drop_after_refused_write( array( $rkey ) );
				}
				return false;
			}
			$this->mem_set( $id, $group, $data, $ttl );
			return true;
		}

		public function set( $key, $data, $group = 'default', $expire = 0 ) {
			if ( ! $this->is_valid_key( $key ) ) {
				return false;
			}
			$group = self::norm_group( $group );
			$ttl   = self::ttl( $expire );
			$this->mem_set( $this->id( $key, $group ), $group, $data, $ttl );
			if ( $this->persistent( $group ) ) {
				$rkey  = $this->redis_key( $key, $group );
				$reply = $this->call1( self::set_command( $rkey, $data, $ttl ) );
				if ( $reply instanceof Inception_Redis_Error ) {
					$this->drop_after_refused_write( array( $rkey ) );
					return false;
				}
			}
			return true;
		}

		public function set_multiple( array $data, $group = '', $expire = 0 ) {
			$values = array();
			$group  = self::norm_group( $group );
			$ttl    = self::ttl( $expire );
			$cmds   = array();
			$rkeys  = array();
			foreach ( $data as $key => $value ) {
				if ( ! $this->is_valid_key( $key ) ) {
					$values[ $key ] = false;
					continue;
				}
				$this->mem_set( $this->id( $key, $group ), $group, $value, $ttl );
				$values[ $key ] = true;
				if ( $this->persistent( $group ) ) {
					$rkeys[ $key ] = $this->redis_key( $key, $group );
					$cmds[]        = self::set_command( $rkeys[ $key ], $value, $ttl );
				}
			}
			if ( $cmds ) {
				$replies = $this->call( $cmds );
				if ( null !== $replies ) {
					$refused = array();
					$i       = 0;
					foreach ( $rkeys as $key => $rkey ) {
						if ( $replies[ $i++ ] instanceof Inception_Redis_Error ) {
							$values[ $key ] = false;
							$refused[]      = $rkey;
						}
					}
					$this->drop_after_refused_write( $refused );
				}
			}
			return $values;
		}

		public function get( $key, $group = 'default', $force = false, &$found = null ) {
			if ( ! $this->is_valid_key( $key ) ) {
				$found = false;
				return false;
			}
			$group      = self::norm_group( $group );
			$id         = $this->id( $key, $group );
			$persistent = $this->persistent( $group );
			if ( ( ! $force || ! $persistent || ! $this->is_connected() ) && $this->mem_exists( $id, $group ) ) {
				$found = true;
				$this->cache_hits++;
				return $this->mem_get( $id, $group );
			}
			if ( $persistent && $this->is_connected() ) {
				$raw = $this->call1( array( 'GET', $this->redis_key( $key, $group ) ) );
				list( $ok, $value ) = self::decode_value( $raw );
				if ( $ok ) {
					$found = true;
					$this->cache_hits++;
					$this->redis_hits++;
					$this->mem_set( $id, $group, $value );
					return is_object( $value ) ? clone $value : $value;
				}
				if ( $this->is_connected() ) {
					$this->redis_misses++;
					if ( $force ) {
						$this->mem_delete( $id, $group );
					}
				} elseif ( $this->mem_exists( $id, $group ) ) {
					// Redis went away during a forced read: the request layer still answers.
					$found = true;
					$this->cache_hits++;
					return $this->mem_get( $id, $group );
				}
			}
			$found = false;
			$this->cache_misses++;
			return false;
		}

		public function get_multiple( $keys, $group = 'default', $force = false ) {
			$group      = self::norm_group( $group );
			$persistent = $this->persistent( $group );
			$values     = array();
			$ask        = array();
			foreach ( $keys as $key ) {
				if ( ! $this->is_valid_key( $key ) ) {
					$values[ $key ] = false;
					continue;
				}
				$id = $this->id( $key, $group );
				if ( ( ! $force || ! $persistent || ! $this->is_connected() ) && $this->mem_exists( $id, $group ) ) {
					$this->cache_hits++;
					$values[ $key ] = $this->mem_get( $id, $group );
					continue;
				}
				$values[ $key ] = false;
				if ( $persistent && $this->is_connected() ) {
					$ask[ $key ] = $this->redis_key( $key, $group );
				} else {
					$this->cache_misses++;
				}
			}
			if ( $ask ) {
				$reply = $this->call1( array_merge( array( 'MGET' ), array_values( $ask ) ) );
				$i     = 0;
				foreach ( $ask as $key => $rkey ) {
					$raw = is_array( $reply ) && array_key_exists( $i, $reply ) ? $reply[ $i ] : null;
					$i++;
					list( $ok, $value ) = self::decode_value( $raw );
					$id = $this->id( $key, $group );
					if ( $ok ) {
						$this->cache_hits++;
						$this->redis_hits++;
						$this->mem_set( $id, $group, $value );
						$values[ $key ] = is_object( $value ) ? clone $value : $value;
					} elseif ( ! is_array( $reply ) && $this->mem_exists( $id, $group ) ) {
						$this->cache_hits++;
						$values[ $key ] = $this->mem_get( $id, $group );
					} else {
						if ( is_array( $reply ) ) {
							$this->redis_misses++;
							if ( $force ) {
								$this->mem_delete( $id, $group );
							}
						}
						$this->cache_misses++;
					}
				}
			}
			return $values;
		}

		public function delete( $key, $group = 'default', $deprecated = false ) {
			if ( ! $this->is_valid_key( $key ) ) {
				return false;
			}
			$group   = self::norm_group( $group );
			$id      = $this->id( $key, $group );
			$existed = $this->mem_exists( $id, $group );
			$this->mem_delete( $id, $group );
			if ( $this->persistent( $group ) ) {
				$reply = $this->call1( array( 'DEL', $this->redis_key( $key, $group ) ) );
				if ( is_int( $reply ) ) {
					return $reply > 0 || $existed;
				}
			}
			return $existed;
		}

		public function delete_multiple( array $keys, $group = '' ) {
			$group   = self::norm_group( $group );
			$values  = array();
			$cmds    = array();
			$pending = array();
			foreach ( $keys as $key ) {
				if ( ! $this->is_valid_key( $key ) ) {
					$values[ $key ] = false;
					continue;
				}
				$id             = $this->id( $key, $group );
				$values[ $key ] = $this->mem_exists( $id, $group );
				$this->mem_delete( $id, $group );
				if ( $this->persistent( $group ) ) {
					$pending[] = $key;
					$cmds[]    = array( 'DEL', $this->redis_key( $key, $group ) );
				}
			}
			if ( $cmds ) {
				$replies = $this->call( $cmds );
				if ( null !== $replies ) {
					foreach ( $pending as $i => $key ) {
						if ( is_int( $replies[ $i ] ) && $replies[ $i ] > 0 ) {
							$values[ $key ] = true;
						}
					}
				}
			}
			return $values;
		}

		/** Shared by incr/decr: core semantics (missing -> false, non-numeric -> 0, floor 0). */
		private function offset_value( $key, $offset, $group ) {
			if ( ! $this->is_valid_key( $key ) ) {
				return false;
			}
			$group  = self::norm_group( $group );
			$id     = $this->id( $key, $group );
			$offset = (int) $offset;
			if ( $this->persistent( $group ) && $this->is_connected() ) {
				$rkey = $this->redis_key( $key, $group );
				$raw  = $this->call1( array( 'GET', $rkey ) );
				if ( $this->is_connected() ) {
					if ( null === $raw ) {
						$this->mem_delete( $id, $group );
						return false;
					}
					if ( is_string( $raw ) && preg_match( '/^-?[0-9]+$/', $raw ) ) {
						// Stored as an integer: let Redis do it atomically, then clamp at 0.
						$reply = $this->call1( array( $offset >= 0 ? 'INCRBY' : 'DECRBY', $rkey, abs( $offset ) ) );
						if ( is_int( $reply ) ) {
							if ( $reply < 0 ) {
								$this->call1( array( 'SET', $rkey, '0', 'KEEPTTL' ) );
								$reply = 0;
							}
							$this->mem_set( $id, $group, $reply );
							return $reply;
						}
						if ( $this->is_connected() ) {
							$this->drop_after_refused_write( array( $rkey ) );
							$this->mem_delete( $id, $group );
							return false;
						}
					} else {
						list( $ok, $value ) = self::decode_value( $raw );
						$value              = $ok && is_numeric( $value ) ? $value + $offset : $offset;
						if ( $value < 0 ) {
							$value = 0;
						}
						$reply = $this->call1( self::set_command( $rkey, $value, 0, 'KEEPTTL' ) );
						if ( $reply instanceof Inception_Redis_Error ) {
							$this->drop_after_refused_write( array( $rkey ) );
						}
						$this->mem_set( $id, $group, $value );
						return $value;
					}
				}
				// Redis went away mid-way: fall back to the request layer below.
			}
			if ( ! $this->mem_exists( $id, $group ) ) {
				return false;
			}
			$value = $this->cache[ $group ][ $id ];
			if ( ! is_numeric( $value ) ) {
				$value = 0;
			}
			$value += $offset;
			if ( $value < 0 ) {
				$value = 0;
			}
			$this->cache[ $group ][ $id ] = $value;
			return $value;
		}

		public function incr( $key, $offset = 1, $group = 'default' ) {
			return $this->offset_value( $key, (int) $offset, $group );
		}

		public function decr( $key, $offset = 1, $group = 'default' ) {
			return $this->offset_value( $key, -(int) $offset, $group );
		}

		/** Deletes every Redis key matching a glob, re-checking each with $accept. */
		private function scan_delete( $pattern, $accept = null ) {
			$cursor = '0';
			do {
				$reply = $this->call1( array( 'SCAN', $cursor, 'MATCH', $pattern, 'COUNT', 1000 ) );
				if ( ! is_array( $reply ) || 2 !== count( $reply ) || ! is_array( $reply[1] ) ) {
					return false;
				}
				$cursor = (string) $reply[0];
				$keys   = $reply[1];
				if ( $accept ) {
					$keys = array_values( array_filter( $keys, $accept ) );
				}
				if ( $keys ) {
					$del = $this->call1( array_merge( array( 'DEL' ), $keys ) );
					if ( ! is_int( $del ) ) {
						return false;
					}
				}
			} while ( '0' !== $cursor );
			return true;
		}

		private static function glob_escape( $s ) {
			return preg_replace( '/([*?\[\]\\\\])/', '\\\\$1', (string) $s );
		}

		/** Empties the request layer and this site's keys in Redis. */
		public function flush() {
			$this->cache   = array();
			$this->expires = array();
			if ( ! $this->is_connected() ) {
				return true;
			}
			$prefix = $this->prefix . ':';
			$len    = strlen( $prefix );
			$ok     = $this->scan_delete(
				self::glob_escape( $prefix ) . '*',
				function ( $k ) use ( $prefix, $len ) {
					return is_string( $k ) && 0 === strncmp( $k, $prefix, $len );
				}
			);
			return $ok || ! $this->is_connected();
		}

		/** Empties the request layer only; Redis keeps its data. */
		public function flush_runtime() {
			$this->cache   = array();
			$this->expires = array();
			return true;
		}

		/** Removes one group, for every blog, from the request layer and Redis. */
		public function flush_group( $group ) {
			$group = self::norm_group( $group );
			unset( $this->cache[ $group ], $this->expires[ $group ] );
			if ( ! $this->persistent( $group ) || ! $this->is_connected() ) {
				return true;
			}
			$prefix = $this->prefix . ':';
			$tail   = ':' . self::encode_group( $group ) . ':';
			$ok     = $this->scan_delete(
				self::glob_escape( $prefix ) . '*' . self::glob_escape( $tail ) . '*',
				function ( $k ) use ( $prefix, $tail ) {
					if ( ! is_string( $k ) || 0 !== strncmp( $k, $prefix, strlen( $prefix ) ) ) {
						return false;
					}
					$rest = substr( $k, strlen( $prefix ) );
					$pos  = strpos( $rest, ':' ); // End of the blog segment (digits or "global").
					return false !== $pos && 0 === strncmp( substr( $rest, $pos ), $tail, strlen( $tail ) );
				}
			);
			return $ok || ! $this->is_connected();
		}

		public function add_global_groups( $groups ) {
			$groups              = array_fill_keys( (array) $groups, true );
			$this->global_groups = array_merge( $this->global_groups, $groups );
		}

		public function add_non_persistent_groups( $groups ) {
			$groups                      = array_fill_keys( (array) $groups, true );
			$this->non_persistent_groups = array_merge( $this->non_persistent_groups, $groups );
		}

		public function switch_to_blog( $blog_id ) {
			$blog_id = (int) $blog_id;
			if ( $this->multisite ) {
				$this->blog_id     = $blog_id;
				$this->blog_prefix = $blog_id . ':';
			}
		}

		/** @deprecated 3.5.0 Use switch_to_blog(). Clears the non-global groups of the request layer. */
		public function reset() {
			if ( function_exists( '_deprecated_function' ) ) {
				_deprecated_function( __FUNCTION__, '3.5.0', 'WP_Object_Cache::switch_to_blog()' );
			}
			foreach ( array_keys( $this->cache ) as $group ) {
				if ( ! isset( $this->global_groups[ $group ] ) ) {
					unset( $this->cache[ $group ], $this->expires[ $group ] );
				}
			}
		}

		/* ------------------------------------------------------------------ stats */

		public static function ratio( $hits, $misses ) {
			$total = (int) $hits + (int) $misses;
			return $total > 0 ? round( 100 * $hits / $total, 1 ) : 0.0;
		}

		/** Counters of this request. */
		public function get_stats() {
			return array(
				'hits'         => $this->cache_hits,
				'misses'       => $this->cache_misses,
				'hit_ratio'    => self::ratio( $this->cache_hits, $this->cache_misses ),
				'redis_hits'   => $this->redis_hits,
				'redis_misses' => $this->redis_misses,
				'redis_calls'  => $this->redis_calls,
			);
		}

		/**
		 * Connection state plus server counters (INFO stats / memory).
		 *
		 * @return array status 'connected'|'disconnected', reason, prefix, database,
		 *               keyspace_hits, keyspace_misses, server_hit_ratio, used_memory_human,
		 *               and this request's hits/misses/hit_ratio.
		 */
		public function redis_status() {
			$status = array(
				'status'            => 'disconnected',
				'reason'            => $this->redis_reason,
				'prefix'            => $this->prefix,
				'database'          => $this->config['database'],
				'keyspace_hits'     => null,
				'keyspace_misses'   => null,
				'server_hit_ratio'  => null,
				'used_memory_human' => null,
			) + $this->get_stats();
			if ( ! $this->is_connected() ) {
				$status['reason'] = $this->redis_reason;
				return $status;
			}
			$replies = $this->call( array( array( 'INFO', 'stats' ), array( 'INFO', 'memory' ) ) );
			if ( null === $replies ) {
				$status['reason'] = $this->redis_reason;
				return $status;
			}
			$status['status'] = 'connected';
			$status['reason'] = '';
			foreach ( $replies as $info ) {
				if ( ! is_string( $info ) ) {
					continue;
				}
				foreach ( preg_split( '/\r?\n/', $info ) as $line ) {
					$parts = explode( ':', $line, 2 );
					if ( 2 !== count( $parts ) ) {
						continue;
					}
					if ( 'keyspace_hits' === $parts[0] || 'keyspace_misses' === $parts[0] ) {
						$status[ $parts[0] ] = (int) $parts[1];
					} elseif ( 'used_memory_human' === $parts[0] ) {
						$status['used_memory_human'] = trim( $parts[1] );
					}
				}
			}
			if ( null !== $status['keyspace_hits'] && null !== $status['keyspace_misses'] ) {
				$status['server_hit_ratio'] = self::ratio( $status['keyspace_hits'], $status['keyspace_misses'] );
			}
			return $status;
		}

		/** Core's debug output (Debug Bar and friends call this). */
		public function stats() {
			$esc = function_exists( 'esc_html' ) ? 'esc_html' : 'htmlspecialchars';
			$s   = $this->redis_status();
			echo '<p>';
			echo "<strong>Cache Hits:</strong> {$this->cache_hits}<br />";
			echo "<strong>Cache Misses:</strong> {$this->cache_misses}<br />";
			echo '<strong>Redis:</strong> ' . call_user_func( $esc, $s['status'] ) . '<br />';
			echo '</p>';
			echo '<ul>';
			foreach ( $this->cache as $group => $cache ) {
				echo '<li><strong>Group:</strong> ' . call_user_func( $esc, (string) $group ) . ' - ( ' . number_format( strlen( serialize( $cache ) ) / 1024, 2 ) . 'k )</li>';
			}
			echo '</ul>';
		}

		public function __destruct() {
			if ( $this->redis ) {
				$this->redis->close();
			}
		}
	}
endif;

/* ---------------------------------------------------------------------- API functions */

function wp_cache_init() {
	$GLOBALS['wp_object_cache'] = new WP_Object_Cache();
}

function wp_cache_add( $key, $data, $group = '', $expire = 0 ) {
	global $wp_object_cache;
	return $wp_object_cache->add( $key, $data, $group, (int) $expire );
}

function wp_cache_add_multiple( array $data, $group = '', $expire = 0 ) {
	global $wp_object_cache;
	return $wp_object_cache->add_multiple( $data, $group, $expire );
}

function wp_cache_replace( $key, $data, $group = '', $expire = 0 ) {
	global $wp_object_cache;
	return $wp_object_cache->replace( $key, $data, $group, (int) $expire );
}

function wp_cache_set( $key, $data, $group = '', $expire = 0 ) {
	global $wp_object_cache;
	return $wp_object_cache->set( $key, $data, $group, (int) $expire );
}

function wp_cache_set_multiple( array $data, $group = '', $expire = 0 ) {
	global $wp_object_cache;
	return $wp_object_cache->set_multiple( $data, $group, $expire );
}

function wp_cache_get( $key, $group = '', $force = false, &$found = null ) {
	global $wp_object_cache;
	return $wp_object_cache->get( $key, $group, $force, $found );
}

function wp_cache_get_multiple( $keys, $group = '', $force = false ) {
	global $wp_object_cache;
	return $wp_object_cache->get_multiple( $keys, $group, $force );
}

function wp_cache_delete( $key, $group = '' ) {
	global $wp_object_cache;
	return $wp_object_cache->delete( $key, $group );
}

function wp_cache_delete_multiple( array $keys, $group = '' ) {
	global $wp_object_cache;
	return $wp_object_cache->delete_multiple( $keys, $group );
}

function wp_cache_incr( $key, $offset = 1, $group = '' ) {
	global $wp_object_cache;
	return $wp_object_cache->incr( $key, $offset, $group );
}

function wp_cache_decr( $key, $offset = 1, $group = '' ) {
	global $wp_object_cache;
	return $wp_object_cache->decr( $key, $offset, $group );
}

function wp_cache_flush() {
	global $wp_object_cache;
	return $wp_object_cache->flush();
}

function wp_cache_flush_runtime() {
	global $wp_object_cache;
	return $wp_object_cache->flush_runtime();
}

function wp_cache_flush_group( $group ) {
	global $wp_object_cache;
	return $wp_object_cache->flush_group( $group );
}

function wp_cache_supports( $feature ) {
	switch ( $feature ) {
		case 'add_multiple':
		case 'set_multiple':
		case 'get_multiple':
		case 'delete_multiple':
		case 'flush_runtime':
		case 'flush_group':
			return true;
		default:
			return false;
	}
}

function wp_cache_close() {
	global $wp_object_cache;
	return $wp_object_cache instanceof WP_Object_Cache ? $wp_object_cache->close() : true;
}

function wp_cache_add_global_groups( $groups ) {
	global $wp_object_cache;
	$wp_object_cache->add_global_groups( $groups );
}

function wp_cache_add_non_persistent_groups( $groups ) {
	global $wp_object_cache;
	$wp_object_cache->add_non_persistent_groups( $groups );
}

function wp_cache_switch_to_blog( $blog_id ) {
	global $wp_object_cache;
	$wp_object_cache->switch_to_blog( $blog_id );
}

function wp_cache_reset() {
	if ( function_exists( '_deprecated_function' ) ) {
		_deprecated_function( __FUNCTION__, '3.5.0', 'wp_cache_switch_to_blog()' );
	}
	global $wp_object_cache;
	$wp_object_cache->reset();
}

/* ---------------------------------------------------------------------- admin UI */

if ( ! class_exists( 'Inception_Redis_Admin' ) ) :
	/** Site Health test, dashboard widget and "Flush cache" action. Only runs inside WordPress. */
	class Inception_Redis_Admin {
		const ACTION = 'inception_redis_flush';
		const TEST   = 'inception_redis_object_cache';

		/** [ hook, callback, priority, accepted args, is filter ] */
		public static function hooks() {
			return array(
				array( 'site_status_tests', array( __CLASS__, 'site_status_tests' ), 10, 1 ),
				array( 'wp_dashboard_setup', array( __CLASS__, 'dashboard_setup' ), 10, 0 ),
				array( 'admin_post_' . self::ACTION, array( __CLASS__, 'handle_flush' ), 10, 0 ),
			);
		}

		/**
		 * Registers the hooks. plugin.php is loaded before the drop-in in WordPress 6.1, so
		 * add_filter() normally exists; if something includes this file earlier, the hooks
		 * go into $wp_filter in the pre-initialized array form core documents, which
		 * WP_Hook::build_preinitialized_hooks() converts when plugin.php loads.
		 */
		public static function register() {
			foreach ( self::hooks() as $h ) {
				if ( function_exists( 'add_filter' ) ) {
					add_filter( $h[0], $h[1], $h[2], $h[3] );
				} elseif ( defined( 'ABSPATH' ) && ( ! isset( $GLOBALS['wp_filter'] ) || is_array( $GLOBALS['wp_filter'] ) ) ) {
					$GLOBALS['wp_filter'][ $h[0] ][ $h[2] ][] = array(
						'function'      => $h[1],
						'accepted_args' => $h[3],
					);
				}
			}
		}

		private static function t( $text ) {
			return function_exists( '__' ) ? __( $text ) : $text;
		}

		private static function e( $text ) {
			return function_exists( 'esc_html' ) ? esc_html( (string) $text ) : htmlspecialchars( (string) $text, ENT_QUOTES, 'UTF-8' );
		}

		private static function status() {
			global $wp_object_cache;
			if ( $wp_object_cache instanceof WP_Object_Cache ) {
				return $wp_object_cache->redis_status();
			}
			return array(
				'status'            => 'disconnected',
				'reason'            => 'object cache not initialised',
				'hits'              => 0,
				'misses'            => 0,
				'hit_ratio'         => 0.0,
				'keyspace_hits'     => null,
				'keyspace_misses'   => null,
				'server_hit_ratio'  => null,
				'used_memory_human' => null,
			);
		}

		public static function site_status_tests( $tests ) {
			if ( ! is_array( $tests ) ) {
				$tests = array();
			}
			$tests['direct'][ self::TEST ] = array(
				'label' => self::t( 'Redis object cache' ),
				'test'  => array( __CLASS__, 'site_health_result' ),
			);
			return $tests;
		}

		public static function site_health_result() {
			$s  = self::status();
			$ok = 'connected' === $s['status'];
			$d  = '<p>' . self::e(
				sprintf(
					'Redis %s. This request: %d hits, %d misses, hit ratio %s%%.',
					$ok ? 'is connected' : 'is unreachable (' . $s['reason'] . '); pages are served with a per-request memory cache only',
					$s['hits'],
					$s['misses'],
					$s['hit_ratio']
				)
			) . '</p>';
			if ( $ok ) {
				$d .= '<p>' . self::e(
					sprintf(
						'Server: %d hits, %d misses, hit ratio %s%%, memory used %s.',
						$s['keyspace_hits'],
						$s['keyspace_misses'],
						null === $s['server_hit_ratio'] ? '0' : $s['server_hit_ratio'],
						(string) $s['used_memory_human']
					)
				) . '</p>';
			}
			return array(
				'label'       => $ok ? self::t( 'Redis object cache is connected' ) : self::t( 'Redis object cache is not connected' ),
				'status'      => $ok ? 'good' : 'critical',
				'badge'       => array(
					'label' => self::t( 'Performance' ),
					'color' => $ok ? 'blue' : 'red',
				),
				'description' => $d,
				'actions'     => '',
				'test'        => self::TEST,
			);
		}

		public static function dashboard_setup() {
			if ( ! function_exists( 'wp_add_dashboard_widget' ) || ! function_exists( 'current_user_can' ) || ! current_user_can( 'manage_options' ) ) {
				return;
			}
			wp_add_dashboard_widget( self::TEST, self::t( 'Redis object cache' ), array( __CLASS__, 'render_widget' ) );
		}

		public static function render_widget() {
			$s  = self::status();
			$ok = 'connected' === $s['status'];
			if ( isset( $_GET['inception-redis-flushed'] ) ) { // phpcs:ignore WordPress.Security.NonceVerification
				echo '<div class="notice notice-' . ( '1' === $_GET['inception-redis-flushed'] ? 'success' : 'error' ) . ' inline"><p>' // phpcs:ignore
					. self::e( '1' === $_GET['inception-redis-flushed'] ? 'Object cache flushed.' : 'Flush failed.' ) . '</p></div>'; // phpcs:ignore
			}
			echo '<p><strong>' . self::e( 'Status:' ) . '</strong> '
				. '<span style="color:' . ( $ok ? '#008a20' : '#d63638' ) . '">' . self::e( $ok ? 'connected' : 'disconnected' ) . '</span>'
				. ( $ok ? '' : ' (' . self::e( $s['reason'] ) . ')' ) . '</p>';
			echo '<table class="widefat striped"><tbody>';
			$rows = array(
				'Hits (this request)'      => $s['hits'],
				'Misses (this request)'    => $s['misses'],
				'Hit ratio (this request)' => $s['hit_ratio'] . '%',
			);
			if ( $ok ) {
				$rows['Hits (server)']      = $s['keyspace_hits'];
				$rows['Misses (server)']    = $s['keyspace_misses'];
				$rows['Hit ratio (server)'] = ( null === $s['server_hit_ratio'] ? 0 : $s['server_hit_ratio'] ) . '%';
				$rows['Memory used']        = $s['used_memory_human'];
			}
			foreach ( $rows as $label => $value ) {
				echo '<tr><td>' . self::e( $label ) . '</td><td>' . self::e( (string) $value ) . '</td></tr>';
			}
			echo '</tbody></table>';
			$url = function_exists( 'admin_url' ) ? admin_url( 'admin-post.php' ) : 'admin-post.php';
			echo '<form method="post" action="' . ( function_exists( 'esc_url' ) ? esc_url( $url ) : self::e( $url ) ) . '" style="margin-top:1em">';
			echo '<input type="hidden" name="action" value="' . self::ACTION . '" />';
			if ( function_exists( 'wp_nonce_field' ) ) {
				wp_nonce_field( self::ACTION );
			}
			echo '<button type="submit" class="button">' . self::e( 'Flush cache' ) . '</button>';
			echo '</form>';
		}

		public static function handle_flush() {
			if ( ! current_user_can( 'manage_options' ) ) {
				wp_die( self::e( 'You are not allowed to flush the object cache.' ), 403 );
				return;
			}
			check_admin_referer( self::ACTION );
			$ok       = wp_cache_flush();
			$back     = function_exists( 'wp_get_referer' ) ? wp_get_referer() : false;
			$location = add_query_arg( 'inception-redis-flushed', $ok ? '1' : '0', $back ? $back : admin_url( 'index.php' ) );
			wp_safe_redirect( $location );
			if ( ! defined( 'WP_REDIS_OBJECT_CACHE_TESTING' ) ) {
				exit;
			}
		}
	}

	Inception_Redis_Admin::register();
endif;
