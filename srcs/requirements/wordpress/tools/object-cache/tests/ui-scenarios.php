<?php
/**
 * Admin UI scenarios, run as children of run-tests.php (included at global scope, after
 * the WordPress stubs and the constants are defined, before object-cache.php is loaded).
 *   ui            add_filter() stubs: hooks, Site Health result, widget, flush handler.
 *   ui-core       WordPress core's own plugin.php loaded first (the WordPress 6.1 order).
 *   ui-core-early object-cache.php loaded before plugin.php: the hooks must arrive through
 *                 the pre-initialized $wp_filter array that core converts.
 */

$GLOBALS['__widgets']   = array();
$GLOBALS['__died']      = null;
$GLOBALS['__redirect']  = null;
$GLOBALS['__referer_checked'] = null;
$GLOBALS['__can']       = true;

function esc_html( $s ) {
	return htmlspecialchars( (string) $s, ENT_QUOTES, 'UTF-8' );
}
function esc_url( $s ) {
	return htmlspecialchars( (string) $s, ENT_QUOTES, 'UTF-8' );
}
function admin_url( $path = '' ) {
	return 'https://example.test/wp-admin/' . $path;
}
function wp_nonce_field( $action ) {
	echo '<input type="hidden" name="_wpnonce" value="nonce-for-' . esc_html( $action ) . '" />';
}
function current_user_can( $cap ) {
	return 'manage_options' === $cap && $GLOBALS['__can'];
}
function wp_add_dashboard_widget( $id, $title, $callback ) {
	$GLOBALS['__widgets'][ $id ] = array( $title, $callback );
}
function wp_die( $message = '', $title = '', $args = array() ) {
	$GLOBALS['__died'] = array( $message, $title );
}
function check_admin_referer( $action ) {
	$GLOBALS['__referer_checked'] = $action;
	return 1;
}
function wp_get_referer() {
	return 'https://example.test/wp-admin/index.php';
}
function add_query_arg( $key, $value, $url ) {
	return $url . ( false === strpos( $url, '?' ) ? '?' : '&' ) . $key . '=' . $value;
}
function wp_safe_redirect( $location ) {
	$GLOBALS['__redirect'] = $location;
	return true;
}

$core = env( 'WP_CORE_DIR', '' );

if ( 'ui' === $CHILD ) {
	$GLOBALS['__hooks'] = array();
	function add_filter( $hook, $cb, $prio = 10, $args = 1 ) {
		$GLOBALS['__hooks'][ $hook ][] = array( $cb, $prio, $args );
		return true;
	}
	function add_action( $hook, $cb, $prio = 10, $args = 1 ) {
		return add_filter( $hook, $cb, $prio, $args );
	}
	function apply_filters( $hook, $value ) {
		foreach ( isset( $GLOBALS['__hooks'][ $hook ] ) ? $GLOBALS['__hooks'][ $hook ] : array() as $h ) {
			$value = call_user_func( $h[0], $value );
		}
		return $value;
	}
	function do_action( $hook ) {
		foreach ( isset( $GLOBALS['__hooks'][ $hook ] ) ? $GLOBALS['__hooks'][ $hook ] : array() as $h ) {
			call_user_func( $h[0] );
		}
	}
} elseif ( '' === $core || ! is_file( "$core/wp-includes/plugin.php" ) ) {
	skip( 'WordPress core plugin.php', 'WP_CORE_DIR not set' );
	return;
} else {
	define( 'ABSPATH', rtrim( $core, '/' ) . '/' );
	define( 'WPINC', 'wp-includes' );
	if ( 'ui-core' === $CHILD ) {
		require ABSPATH . WPINC . '/plugin.php';
	}
}

require __DIR__ . '/../object-cache.php';

if ( 'ui-core-early' === $CHILD ) {
	t( 'add_filter absent when the drop-in loads', ! function_exists( 'add_filter' ) );
	t( 'hooks pre-populated in $wp_filter', isset( $GLOBALS['wp_filter']['site_status_tests'][10][0]['function'] ) );
	require ABSPATH . WPINC . '/plugin.php'; // Converts the pre-populated array into WP_Hook objects.
}

wp_cache_init();
$raw = new Raw();

$tests = apply_filters( 'site_status_tests', array( 'direct' => array(), 'async' => array() ) );
t( 'Site Health: direct test registered', isset( $tests['direct']['inception_redis_object_cache'] ) );
$def = $tests['direct']['inception_redis_object_cache'];
same( 'Site Health: label', 'Redis object cache', $def['label'] );
wp_cache_get( 'ui-miss' );
wp_cache_set( 'ui-hit', 1 );
wp_cache_get( 'ui-hit' );
$r = call_user_func( $def['test'] );
same( 'Site Health: good when connected', 'good', $r['status'] );
same( 'Site Health: result names its test', 'inception_redis_object_cache', $r['test'] );
t( 'Site Health: description has hits, misses, hit ratio', false !== strpos( $r['description'], '1 hits, 1 misses, hit ratio 50%' ), $r['description'] );
t( 'Site Health: result has the keys core expects', ! array_diff( array( 'label', 'status', 'badge', 'description', 'actions', 'test' ), array_keys( $r ) ) );

do_action( 'wp_dashboard_setup' );
t( 'dashboard widget registered for manage_options', isset( $GLOBALS['__widgets']['inception_redis_object_cache'] ) );
ob_start();
call_user_func( $GLOBALS['__widgets']['inception_redis_object_cache'][1] );
$html = ob_get_clean();
t( 'widget: shows connected', false !== strpos( $html, '>connected<' ), $html );
t( 'widget: hits, misses, hit ratio', false !== strpos( $html, 'Hits (this request)' ) && false !== strpos( $html, 'Misses (this request)' ) && false !== strpos( $html, '50%' ) && false !== strpos( $html, 'Hits (server)' ) );
t( 'widget: flush form posts to admin-post.php with action and nonce', (bool) preg_match( '#<form method="post" action="https://example.test/wp-admin/admin-post.php".*name="action" value="inception_redis_flush".*name="_wpnonce" value="nonce-for-inception_redis_flush".*Flush cache#s', $html ), $html );
$GLOBALS['__widgets'] = array();
$GLOBALS['__can']     = false;
do_action( 'wp_dashboard_setup' );
same( 'dashboard widget hidden without manage_options', array(), $GLOBALS['__widgets'] );

wp_cache_set( 'to-flush', 'x' );
$key = $GLOBALS['wp_object_cache']->redis_key( 'to-flush' );
do_action( 'admin_post_inception_redis_flush' );
t( 'flush handler: refused without manage_options (wp_die 403)', null !== $GLOBALS['__died'] && 403 === $GLOBALS['__died'][1] );
same( 'flush handler: nothing flushed when refused', 1, $raw->cmd( 'EXISTS', $key ) );
same( 'flush handler: no redirect when refused', null, $GLOBALS['__redirect'] );
$GLOBALS['__can']  = true;
$GLOBALS['__died'] = null;
do_action( 'admin_post_inception_redis_flush' );
same( 'flush handler: nonce checked', 'inception_redis_flush', $GLOBALS['__referer_checked'] );
same( 'flush handler: cache flushed', 0, $raw->cmd( 'EXISTS', $key ) );
same( 'flush handler: redirect back', 'https://example.test/wp-admin/index.php?inception-redis-flushed=1', $GLOBALS['__redirect'] );

$GLOBALS['wp_object_cache']->close();
$r = call_user_func( $def['test'] );
same( 'Site Health: critical when disconnected', 'critical', $r['status'] );
ob_start();
$GLOBALS['__widgets'] = array();
do_action( 'wp_dashboard_setup' );
call_user_func( $GLOBALS['__widgets']['inception_redis_object_cache'][1] );
$html = ob_get_clean();
t( 'widget: shows disconnected', false !== strpos( $html, '>disconnected<' ), $html );
