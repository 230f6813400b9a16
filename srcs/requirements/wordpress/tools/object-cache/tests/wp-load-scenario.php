<?php
/**
 * Child scenario "wp-load": WordPress core's own bootstrap code (wp-includes/plugin.php,
 * load.php, cache-compat.php from WP_CORE_DIR) loads the drop-in from WP_CONTENT_DIR
 * exactly as wp-settings.php does, on a multisite (MULTISITE true).
 */

$core = env( 'WP_CORE_DIR', '' );
if ( '' === $core || ! is_file( "$core/wp-includes/load.php" ) ) {
	skip( 'core bootstrap', 'WP_CORE_DIR not set' );
	return;
}
$content = $TMP . '/wp-content';
@mkdir( $content );
copy( __DIR__ . '/../object-cache.php', "$content/object-cache.php" );

define( 'ABSPATH', rtrim( $core, '/' ) . '/' );
define( 'WPINC', 'wp-includes' );
define( 'WP_CONTENT_DIR', $content );
define( 'MULTISITE', true );
$blog_id = 1;

// The files wp-settings.php loads before wp_start_object_cache(), minus the database.
foreach ( array( 'version.php', 'load.php', 'default-constants.php', 'plugin.php', 'compat.php', 'class-wp-list-util.php', 'formatting.php', 'meta.php', 'functions.php' ) as $f ) {
	require_once ABSPATH . WPINC . '/' . $f;
}

wp_start_object_cache();
same( 'core: wp_using_ext_object_cache() after loading the drop-in', true, wp_using_ext_object_cache() );
same( 'core: $wp_object_cache is the drop-in\'s', 'connected', $GLOBALS['wp_object_cache']->redis_status()['status'] );
t( 'core: its global groups reached the drop-in', isset( $GLOBALS['wp_object_cache']->global_groups['users'], $GLOBALS['wp_object_cache']->global_groups['site-options'] ) );
t( 'core: its non-persistent groups reached the drop-in', isset( $GLOBALS['wp_object_cache']->non_persistent_groups['counts'], $GLOBALS['wp_object_cache']->non_persistent_groups['plugins'] ) );
t( 'core: hooks survive build_preinitialized_hooks()', false !== has_filter( 'site_status_tests', array( 'Inception_Redis_Admin', 'site_status_tests' ) ) );

$raw = new Raw();
wp_cache_set( 'k', 'blog-1' );
wp_cache_set( 'u', 'user', 'users' );
$blog_id = 2;
wp_start_object_cache(); // ms-settings.php re-runs it once the blog is known: wp_cache_switch_to_blog().
wp_cache_set( 'k', 'blog-2' );
$p = $GLOBALS['wp_object_cache']->prefix;
same( 'core: re-init switched blogs', array( serialize( 'blog-1' ), serialize( 'blog-2' ), serialize( 'user' ) ), array( $raw->cmd( 'GET', "$p:1:default:k" ), $raw->cmd( 'GET', "$p:2:default:k" ), $raw->cmd( 'GET', "$p:global:users:u" ) ) );
same( 'core: global group shared after the switch', 'user', wp_cache_get( 'u', 'users' ) );
same( 'core: cache-compat did not replace flush_runtime (Redis keeps data)', array( true, 'blog-2' ), array( wp_cache_flush_runtime(), wp_cache_get( 'k' ) ) );
same( 'core: flush_group supported (no _doing_it_wrong path)', true, wp_cache_flush_group( 'default' ) );
$last = wp_cache_get_last_changed( 'posts' );
same( 'core: wp_cache_get_last_changed() stores through the drop-in', serialize( $last ), $raw->cmd( 'GET', "$p:2:posts:last_changed" ) );
wp_suspend_cache_addition( true );
same( 'core: wp_suspend_cache_addition(true) makes add fail', false, wp_cache_add( 'susp', 1 ) );
wp_suspend_cache_addition( false );
same( 'core: invalid key goes through core\'s _doing_it_wrong without fatal', false, @wp_cache_get( '' ) );
shutdown_action_hook();
same( 'core: shutdown_action_hook() closes the connection', 'disconnected', $GLOBALS['wp_object_cache']->redis_status()['status'] );
