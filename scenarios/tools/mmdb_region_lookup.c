#include <maxminddb.h>
#include <stdio.h>
#include <string.h>
int main(int argc,char**argv){MMDB_s m; if(MMDB_open(argv[1],0,&m)){return 1;} char line[256];
while(fgets(line,sizeof line,stdin)){line[strcspn(line,"\n")]=0;int ge,me;MMDB_lookup_result_s r=MMDB_lookup_string(&m,line,&ge,&me);
if(!r.found_entry){printf("%s -\n",line);continue;} MMDB_entry_data_s d; 
const char* c="-"; char s1[128]="-", city[128]="-";
if(!MMDB_get_value(&r.entry,&d,"state1",NULL) && d.has_data && d.type==MMDB_DATA_TYPE_UTF8_STRING){snprintf(s1,sizeof s1,"%.*s",d.data_size,d.utf8_string);}
if(!MMDB_get_value(&r.entry,&d,"city",NULL) && d.has_data && d.type==MMDB_DATA_TYPE_UTF8_STRING){snprintf(city,sizeof city,"%.*s",d.data_size,d.utf8_string);}
printf("%s|%s|%s\n",line,s1,city);(void)c;}
return 0;}
