// The kernel's cost of one small TCP write over loopback: `writev` with one
// buffer against `send` (why src/net/socket.rs sends a lone TLS record with
// `send`). The sender runs on CPU 0, a reader drains on CPU 1; 30 rounds
// alternate the two calls; the sender thread's CPU time per call is printed.
//
//   cc -O2 -o /tmp/send-vs-writev benches/send-vs-writev.c -lpthread && /tmp/send-vs-writev 100000
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <time.h>
#include <sys/resource.h>
static void pin(int c){cpu_set_t s;CPU_ZERO(&s);CPU_SET(c,&s);pthread_setaffinity_np(pthread_self(),sizeof s,&s);}
static void* drain(void* a){ int fd=(long)a; pin(1); char b[65536]; for(;;){ ssize_t n=recv(fd,b,sizeof b,0); if(n<=0) break;} return 0;}
static double cpu(){struct rusage u; getrusage(RUSAGE_THREAD,&u); return (u.ru_utime.tv_sec+u.ru_stime.tv_sec)*1e6+u.ru_utime.tv_usec+u.ru_stime.tv_usec;}
int main(int argc,char**argv){
  int N=atoi(argv[1]);
  int l=socket(AF_INET,SOCK_STREAM,0); struct sockaddr_in a={.sin_family=AF_INET,.sin_addr.s_addr=htonl(0x7f000001)}; bind(l,(void*)&a,sizeof a); socklen_t al=sizeof a; getsockname(l,(void*)&a,&al); listen(l,1);
  int c=socket(AF_INET,SOCK_STREAM,0); connect(c,(void*)&a,sizeof a); int s=accept(l,0,0); int one=1; setsockopt(c,IPPROTO_TCP,TCP_NODELAY,&one,4);
  pthread_t t; pthread_create(&t,0,drain,(void*)(long)s); pin(0);
  char m[200]; memset(m,7,200);
  for(int r=0;r<30;r++){ int mode=r&1; double c0=cpu(); struct timespec w0,w1; clock_gettime(CLOCK_MONOTONIC,&w0);
    for(int i=0;i<N;i++){ if(mode==0){struct iovec v={m,200}; writev(c,&v,1);} else send(c,m,200,MSG_NOSIGNAL); }
    clock_gettime(CLOCK_MONOTONIC,&w1); double c1=cpu();
    printf("%s %.3f us CPU/call  %.3f us wall/call\n", mode?"send  ":"writev", (c1-c0)/N, ((w1.tv_sec-w0.tv_sec)*1e9+(w1.tv_nsec-w0.tv_nsec))/1e3/N); }
  return 0; }
