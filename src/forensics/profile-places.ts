/** Where intruders leave traces that the default profile collects: profiles, web roots, uploads. */

export const shellRcNames = [
  '.profile',
  '.bashrc',
  '.bash_profile',
  '.bash_login',
  '.bash_logout',
  '.zshrc',
  '.zprofile',
  '.zshenv',
  '.zlogin',
  '.kshrc',
  '.mkshrc',
  '.cshrc',
  '.tcshrc',
  'config.fish',
];
/** Document roots of nginx, Apache httpd and Tomcat images, and the FHS's /srv. */
export const webRoots = [
  '/var/www',
  '/usr/share/nginx/html',
  '/usr/local/apache2/htdocs',
  '/usr/local/tomcat/webapps',
  '/srv',
];
export const applicationDirectories = ['/app', '/usr/src/app', '/opt', '/home'];
/** Where Node/Express, Laravel and Django apps keep uploads, under the usual app roots. */
export const uploadDirectories = [
  '/app/uploads',
  '/app/public/uploads',
  '/app/storage/app/public',
  '/app/media',
  '/usr/src/app/uploads',
  '/usr/src/app/public/uploads',
];
export const serverScriptNames = [
  '*.php',
  '*.php[3-8]',
  '*.phtml',
  '*.phar',
  '*.jsp',
  '*.jspx',
  '*.jspf',
  '*.asp',
  '*.aspx',
  '*.ashx',
  '*.asmx',
  '*.cfm',
  '*.cgi',
  '*.pl',
  '.htaccess',
  '.user.ini',
  'web.config',
];
/** Dependency trees are big and rarely where a shell is dropped; `*` in -path spans directories. */
export const vendorDirectories = ['/*/node_modules', '/*/.git'];
