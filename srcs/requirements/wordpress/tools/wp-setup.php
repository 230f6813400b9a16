<?php
/*
 * Installs WordPress and makes sure its two users exist. Run by initd as www-data before
 * php-fpm starts, on every start: each step checks first, so a second run changes nothing
 * and a run that was killed half-way is completed by the next one.
 *
 * Settings come from the environment; passwords from the files named by *_FILE (never from
 * arguments or the environment). Nothing secret is printed.
 */
error_reporting(E_ALL & ~E_DEPRECATED & ~E_NOTICE);
ini_set('display_errors', 'stderr');

function fail(string $message, int $code = 1): void
{
    fwrite(STDERR, "wp-setup: error: $message\n");
    exit($code);
}

function setting(string $name): string
{
    $value = getenv($name);
    if ($value === false || trim($value) === '') {
        fail("$name is not set; add it to srcs/.env", 2);
    }
    return $value;
}

function secret(string $name): string
{
    $path = setting($name . '_FILE');
    $value = @file_get_contents($path);
    if ($value === false || $value === '') {
        fail("cannot read secret $name from $path", 2);
    }
    return $value;
}

function say(string $message): void
{
    fwrite(STDERR, "wp-setup: $message\n");
}

$root = rtrim(setting('WP_ROOT'), '/') . '/';
$domain = setting('DOMAIN_NAME');

// wp-config.php defines the database settings; check them before WordPress would die with
// an HTML page and a zero exit status.
define('WP_INSTALLING', true);
$_SERVER['HTTP_HOST'] = $domain;
$_SERVER['SERVER_NAME'] = $domain;
$_SERVER['HTTPS'] = 'on';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';

// Our install sends no e-mail: there is no mail relay in this stack.
function wp_new_blog_notification($blog_title, $blog_url, $user_id, $password) {}

if (!is_file($root . 'wp-config.php')) {
    fail("{$root}wp-config.php is missing");
}
$config = file_get_contents($root . 'wp-config.php');
foreach (['DB_NAME', 'DB_USER', 'DB_HOST'] as $key) {
    if (!preg_match("/define\\('$key', '([^']*)'\\)/", $config, $m)) {
        fail("wp-config.php does not define $key");
    }
    $db[$key] = $m[1];
}
if (!preg_match("/define\\('DB_PASSWORD', \\(string\\) @file_get_contents\\('([^']*)'\\)\\)/", $config, $m)) {
    fail('wp-config.php does not read DB_PASSWORD from a secret file');
}
[$host, $port] = array_pad(explode(':', $db['DB_HOST'], 2), 2, '3306');
mysqli_report(MYSQLI_REPORT_OFF);
$link = @mysqli_connect($host, $db['DB_USER'], (string) @file_get_contents($m[1]), $db['DB_NAME'], (int) $port);
if (!$link) {
    $hint = mysqli_connect_errno() === 1045
        ? ' (the database in the mariadb volume was initialised with other passwords:'
          . ' put the original files back in secrets/, or erase the data with make wipe)'
        : '';
    fail('cannot connect to the database: ' . mysqli_connect_error() . $hint, 3);
}
mysqli_close($link);

require $root . 'wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/user.php';

/*
 * wp-login.php hands wp_signon() the password as PHP received it after wp_magic_quotes()
 * (quotes and backslashes slashed) and trims it. Store the hash of exactly that form, so
 * the password in the secret file is the one a person types, whatever characters it has.
 */
function login_form_password(string $password): string
{
    return trim(wp_slash($password));
}

$admin = setting('WP_ADMIN_USER');
$admin_email = setting('WP_ADMIN_EMAIL');
$admin_password = login_form_password(secret('WP_ADMIN_PASSWORD'));
$user = setting('WP_USER');
$user_email = setting('WP_USER_EMAIL');
$user_password = login_form_password(secret('WP_USER_PASSWORD'));

if (stripos($admin, 'admin') !== false) {
    fail("WP_ADMIN_USER must not contain \"admin\"; pick another name in srcs/.env", 2);
}

if (!is_blog_installed()) {
    say("installing WordPress for https://$domain");
    $result = wp_install(setting('WP_TITLE'), $admin, $admin_email, true, '', $admin_password);
    if (is_wp_error($result)) {
        fail('wp_install: ' . $result->get_error_message());
    }
    global $wp_rewrite;
    $wp_rewrite->set_permalink_structure('/%postname%/');
    $wp_rewrite->flush_rules(false);
}

/** Creates a user when missing; an existing user (and its password) is left as it is. */
function ensure_user(string $login, string $email, string $password, string $role): void
{
    if (username_exists($login)) {
        return;
    }
    $id = wp_insert_user([
        'user_login' => $login,
        'user_email' => $email,
        'user_pass' => $password,
        'role' => $role,
        'display_name' => $login,
    ]);
    if (is_wp_error($id)) {
        fail("creating user $login: " . $id->get_error_message());
    }
    say("created user $login ($role)");
}

ensure_user($admin, $admin_email, $admin_password, 'administrator');
ensure_user($user, $user_email, $user_password, 'author');
say('WordPress is installed; users ready');
